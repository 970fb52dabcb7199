"""The IOP side of a pupil's whole file (settings.PUPIL_FILE_PARTS, see
:mod:`students.pupil_file`): the chain's documents with every version kept,
the consents, forhåndsvarsel and comments, appeals, the plans with their
goals and logs, the IUPs, the reports, and the pupil's access log.

Each provider takes the pupil and returns its parts, running a fixed number
of queries whatever the data size (one per part)."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from students.access import offers_chain
from students.models import Pupil, StaffMembership
from students.pupil_file import FilePart, loaded, of_law, part, version_name

from .models import (
    AccessLogEntry,
    AdvanceNotice,
    AdvanceNoticeComment,
    Appeal,
    CaseConsent,
    Enkeltvedtak,
    EnkeltvedtakSubject,
    Goal,
    GoalLog,
    Iop,
    IopSubject,
    IopVersion,
    Iup,
    IupAssessment,
    IupVersion,
    SakkyndigVurdering,
    SakkyndigVurderingSubject,
    TeachingLog,
)
from .reports.models import Report, ReportGoal, ReportSubject


def _history(model: type[Model], *deeper: str, **filters: object) -> QuerySet[Model]:
    """Every kept version of MODEL's rows matching FILTERS, oldest first, with
    who changed it and the related rows named (DEEPER: paths beyond them)."""
    return loaded(model.history.filter(**filters), *deeper).order_by("id", "history_date")  # type: ignore[attr-defined]


def _versions(key: str, title: str, rows: QuerySet[Model]) -> FilePart:
    """One record per kept version (django-simple-history), with when, who and what kind of change."""
    return part(key, title, rows, name=version_name, skip=("history_id",))


def chain(pupil: Pupil) -> list[FilePart]:
    """Sakkyndige vurderinger, enkeltvedtak, their subjects, consents,
    forhåndsvarsel with comments and appeals (forvaltningsloven §§ 16–18,
    24–29; opplæringslova §§ 11-6, 11-8); for a Swedish pupil only those
    that hold records. Eight queries."""
    return of_law(
        [
            part(
                "iop.vurdering",
                _("Expert assessments (sakkyndige vurderinger)"),
                loaded(SakkyndigVurdering.objects.filter(pupil=pupil)).order_by("assessed_on", "created_at"),
            ),
            part(
                "iop.vurdering_subject",
                _("Subjects of the expert assessments"),
                loaded(SakkyndigVurderingSubject.objects.filter(vurdering__pupil=pupil)).order_by("vurdering_id", "pk"),
            ),
            part(
                "iop.case_consent",
                _("Consents to the case"),
                loaded(CaseConsent.objects.filter(pupil=pupil)).order_by("date", "recorded_at"),
            ),
            part(
                "iop.vedtak",
                _("Individual decisions (enkeltvedtak)"),
                loaded(Enkeltvedtak.objects.filter(pupil=pupil)).order_by("valid_from", "created_at"),
            ),
            part(
                "iop.vedtak_subject",
                _("Subjects of the decisions"),
                loaded(EnkeltvedtakSubject.objects.filter(vedtak__pupil=pupil), "vedtak").order_by("vedtak_id", "pk"),
            ),
            part(
                "iop.advance_notice",
                _("Advance notices (forhåndsvarsel)"),
                loaded(AdvanceNotice.objects.filter(vedtak__pupil=pupil)).order_by("sent_on", "pk"),
            ),
            part(
                "iop.advance_notice_comment",
                _("Comments on the advance notices"),
                loaded(AdvanceNoticeComment.objects.filter(notice__vedtak__pupil=pupil)).order_by("received_on", "pk"),
            ),
            part(
                "iop.appeal",
                _("Appeals (klager)"),
                loaded(Appeal.objects.filter(vedtak__pupil=pupil)).order_by("received_on", "pk"),
            ),
        ],
        applies=offers_chain(pupil),
    )


#: The parts of the plans and their versions that belong to the Norwegian chain.
CHAIN_PARTS = frozenset(
    {
        "iop.iop",
        "iop.iop_subject",
        "iop.teaching_log",
        "iop.iop_version",
        "reports.report",
        "reports.report_goal",
        "reports.report_subject",
        "iop.vurdering_history",
        "iop.vedtak_history",
        "iop.iop_history",
        "reports.report_history",
    }
)


def plans(pupil: Pupil) -> list[FilePart]:
    """IOPs with their subjects, goals, goal logs, teaching logs and published
    versions; IUPs with assessments and published versions; reports with
    their texts (opplæringslova § 11-10 and § 11-11); for a Swedish pupil
    the IOP parts only when they hold records. Twelve queries."""
    made = [
        part(
            "iop.iop",
            _("IOPs"),
            loaded(Iop.objects.filter(pupil=pupil), "school_year__school").order_by("period_start", "created_at"),
        ),
        part(
            "iop.iop_subject",
            _("Subjects of the IOPs"),
            loaded(IopSubject.objects.filter(iop__pupil=pupil), "iop__school_year").order_by("iop_id", "pk"),
        ),
        part(
            "iop.goal",
            _("Learning goals"),
            loaded(Goal.objects.filter(iop__pupil=pupil) | Goal.objects.filter(iup__pupil=pupil)).order_by("pk"),
            skip=("iop", "iup"),
        ),
        part(
            "iop.goal_log",
            _("Goal logs"),
            loaded(GoalLog.objects.filter(goal__iop__pupil=pupil) | GoalLog.objects.filter(goal__iup__pupil=pupil))
            .select_related(None)
            .select_related("goal", "author")
            .order_by("date", "pk"),
        ),
        part(
            "iop.teaching_log",
            _("Teaching logs"),
            loaded(TeachingLog.objects.filter(section__iop__pupil=pupil)).order_by("period_start", "pk"),
        ),
        part(
            "iop.iop_version",
            _("Published IOP versions"),
            loaded(IopVersion.objects.filter(iop__pupil=pupil), "iop__school_year").order_by("iop_id", "number"),
        ),
        part(
            "iop.iup",
            _("IUPs"),
            loaded(Iup.objects.filter(pupil=pupil), "school_year__school").order_by("created_at"),
        ),
        part(
            "iop.iup_assessment",
            _("Assessments in the IUPs"),
            loaded(IupAssessment.objects.filter(iup__pupil=pupil), "iup__school_year").order_by("iup_id", "pk"),
        ),
        part(
            "iop.iup_version",
            _("Published IUP versions"),
            loaded(IupVersion.objects.filter(iup__pupil=pupil), "iup__school_year").order_by("iup_id", "number"),
        ),
        part(
            "reports.report",
            _("Reports"),
            loaded(Report.objects.filter(pupil=pupil), "iop__school_year").order_by("created_at"),
        ),
        part(
            "reports.report_goal",
            _("Goal texts of the reports"),
            ReportGoal.objects.filter(report__pupil=pupil).order_by("report_id", "pk"),
            skip=("goal", "report"),
            name=lambda row: _("Goal text"),
        ),
        part(
            "reports.report_subject",
            _("Subject texts of the reports"),
            ReportSubject.objects.filter(report__pupil=pupil).order_by("report_id", "pk"),
            skip=("section", "report"),
            name=lambda row: _("Subject text"),
        ),
    ]
    return of_law(made, applies=offers_chain(pupil), keys=CHAIN_PARTS)


def versions(pupil: Pupil) -> list[FilePart]:
    """Every kept version of the chain's documents and plans (the history of
    each change: when, by whom, what it said); for a Swedish pupil the
    chain's only when they hold records. Five queries."""
    made = [
        _versions(
            "iop.vurdering_history", _("Versions of the expert assessments"), _history(SakkyndigVurdering, pupil=pupil)
        ),
        _versions("iop.vedtak_history", _("Versions of the decisions"), _history(Enkeltvedtak, pupil=pupil)),
        _versions("iop.iop_history", _("Versions of the IOPs"), _history(Iop, "vedtak", pupil=pupil)),
        _versions("iop.iup_history", _("Versions of the IUPs"), _history(Iup, pupil=pupil)),
        _versions(
            "reports.report_history", _("Versions of the reports"), _history(Report, "iop__school_year", pupil=pupil)
        ),
    ]
    return of_law(made, applies=offers_chain(pupil), keys=CHAIN_PARTS)


def access_log(pupil: Pupil) -> list[FilePart]:
    """Who read the pupil's data, when and why (personvernforordningen
    art. 15 and art. 5(2)), the reader's role in words. One query."""
    rows = AccessLogEntry.objects.filter(pupil=pupil).select_related("user").order_by("at", "pk")
    roles = {**dict(StaffMembership.Role.choices), AccessLogEntry.GUARDIAN: _("Guardian")}
    made = part("iop.access_log", _("Access log"), rows)
    for entry in made.records:
        for item in entry["fields"]:
            if item["name"] == "role" and item["value"]:
                item["text"] = str(roles.get(item["value"], item["value"]))
    return [made]
