"""Tilsyn check: each legal requirement of the chain of individually adapted
teaching, checked the way Statsforvalteren's inspection (tilsyn) checks it,
per pupil and per school, for the special-education coordinator.

Glossary (DOMAIN.md "The law in detail"):

* :class:`Requirement` – one requirement with its legal source
  (opplæringslova 2023 chapter 11, forvaltningsloven);
* :class:`Result` – a requirement checked for one pupil: :class:`Status`
  ``ok``, ``missing`` (with what is missing) or ``not_applicable``, and the
  link to the record to fix;
* :class:`Case` – everything of one pupil the checks read, loaded by
  :func:`load_cases` with a fixed number of queries whatever the number of
  pupils. Every check (:data:`CHECKS`) is a pure function of a case and the
  day: no queries.

The checks reuse the chain's own rules (:func:`iop.services.consent_problem_among`,
:func:`iop.services.advance_notice_problem_among`, :func:`iop.checks.vedtak_flags`,
:func:`iop.checks.iop_flags`, :func:`iop.checks.missing_iop_flags`) so that
the inspection says what the forms say.

Section numbers: consent to the assessment and the decision is cited as
opplæringslova §§ 11-6 and 11-8 as elsewhere in the product; the 15-year rule
follows DOMAIN.md.
"""

from __future__ import annotations

import datetime
import enum
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from iop import checks
from iop.models import (
    CONSENT_AGE,
    AdvanceNotice,
    Appeal,
    CaseConsent,
    Enkeltvedtak,
    Iop,
    IopVersion,
    SakkyndigVurdering,
    StaffCompetence,
)
from iop.reports.models import Report
from iop.services import advance_notice_problem_among, consent_problem_among
from students.models import GuardianLink, Pupil, School
from students.urlcache import reverse_one

from .deadlines import BUILTIN_DEFAULT, BUILTIN_FOR_KIND
from .models import Aarshjul, AarshjulChoice, Consent, Duty, InterimReply, Referral

#: The årshjul duty that gives the school owner's review of an appeal its deadline.
APPEAL_DUTY = "klage-skoleeier"

#: The review deadline in days when the school's årshjul has no such duty (the built-in årshjul's).
DEFAULT_APPEAL_REVIEW_DAYS = 21

#: A case not answered within this time needs an interim reply (forvaltningsloven § 11 a: "en måned").
INTERIM_AFTER = datetime.timedelta(days=30)


class Status(enum.StrEnum):
    OK = "ok"
    MISSING = "missing"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Requirement:
    code: str
    title: Any  # a lazy translation
    source: Any  # the legal source: a citation, or a lazy translation where it joins two
    #: Which pupils the requirement applies to, when that needs saying (a lazy translation or "").
    scope: Any = ""


#: A page's address, worked out when it is shown: most links of a school's
#: check are never shown, and working each out costs more than the check
#: that makes it.
Link = str | Promise

#: ``reverse(viewname, args=[arg])`` when the link is shown (:func:`students.urlcache.reverse_one`).
_link = lazy(reverse_one, str)


@dataclass(frozen=True)
class Finding:
    """One thing missing, and where to fix it ("" when there is no page)."""

    message: str
    link: Link = ""


@dataclass(frozen=True)
class Result:
    requirement: Requirement
    status: Status
    findings: tuple[Finding, ...] = ()

    @property
    def is_missing(self) -> bool:
        return self.status == Status.MISSING


@dataclass
class Case:
    """One pupil's records as the checks read them (see :func:`load_cases`)."""

    pupil: Pupil
    referrals: list[Referral] = field(default_factory=list)
    consents: list[CaseConsent] = field(default_factory=list)
    links: list[GuardianLink] = field(default_factory=list)
    vurderinger: list[SakkyndigVurdering] = field(default_factory=list)
    vedtak: list[Enkeltvedtak] = field(default_factory=list)
    iops: list[Iop] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    #: Days the school owner has to review an appeal (the årshjul duty :data:`APPEAL_DUTY`).
    appeal_review_days: int = 21

    @property
    def made_vedtak(self) -> list[Enkeltvedtak]:
        return [v for v in self.vedtak if v.is_made]


# --- requirements -------------------------------------------------------------------

REFERRAL_CONSENT = Requirement(
    "referral_consent",
    gettext_lazy("Consent before the referral to PPT"),
    gettext_lazy("opplæringslova §§ 11-6 and 11-8"),
)
SV_CONSENT = Requirement("sv_consent", gettext_lazy("Consent before the expert assessment"), "opplæringslova § 11-8")
SV_CONTENT = Requirement(
    "sv_content",
    gettext_lazy("Expert assessment complete: hours per subject, staff competence, the pupil's view"),
    gettext_lazy("opplæringslova §§ 11-8 and 11-9"),
)
VEDTAK_CONSENT = Requirement("vedtak_consent", gettext_lazy("Consent before the decision"), "opplæringslova § 11-6")
ADVANCE_NOTICE = Requirement(
    "advance_notice",
    gettext_lazy("Advance notice (forhåndsvarsel) before the decision, and its deadline respected"),
    gettext_lazy("forvaltningsloven § 16"),
)
VEDTAK_CONTENT = Requirement(
    "vedtak_content",
    gettext_lazy("Decision with reasons, the pupil's view, deviations explained and appeal information"),
    gettext_lazy("opplæringslova § 11-6, forvaltningsloven §§ 24–25 and 27"),
)
VEDTAK_NOTIFIED = Requirement(
    "vedtak_notified",
    gettext_lazy("The parties notified of the decision, with the date"),
    gettext_lazy("forvaltningsloven § 27"),
)
INTERIM_REPLY = Requirement(
    "interim_reply",
    gettext_lazy("Interim reply when a case took more than a month"),
    gettext_lazy("forvaltningsloven § 11 a"),
)
IOP_MADE = Requirement(
    "iop_made",
    gettext_lazy("IOP made as soon as possible after the decision"),
    "opplæringslova § 11-10",
    gettext_lazy(
        "Pupils with a decision granting special education, with or without an IOP. "
        "An IOP counts as made when it is first published, not as a draft."
    ),
)
IOP_CONTENT = Requirement(
    "iop_content",
    gettext_lazy("IOP complete: who took part, strengths, aids, evaluation, the pupil's view, goals, hours"),
    "opplæringslova § 11-10",
    gettext_lazy("Pupils with an IOP."),
)
AARSRAPPORT = Requirement(
    "aarsrapport",
    gettext_lazy("Årsrapport written and sent to the guardians and the school owner"),
    "opplæringslova § 11-10",
    gettext_lazy("Pupils with an IOP for a school year that has ended, or with an årsrapport."),
)
APPEALS = Requirement(
    "appeals",
    gettext_lazy("Appeals reviewed by the school owner and sent to Statsforvalteren"),
    gettext_lazy("forvaltningsloven §§ 28–33"),
)


def _day(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _local(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def _result(requirement: Requirement, findings: list[Finding], applies: bool) -> Result:
    if findings:
        return Result(requirement, Status.MISSING, tuple(findings))
    return Result(requirement, Status.OK if applies else Status.NOT_APPLICABLE)


def _vedtak_link(vedtak: Enkeltvedtak) -> Link:
    return _link("iop:vedtak_detail", vedtak.pk)


def _consents_link(case: Case) -> Link:
    return _link("iop:consents", case.pupil.pk)


def _sent(case: Case) -> list[tuple[Referral, datetime.datetime]]:
    """The referrals sent to PPT, with the time they were sent."""
    return [(r, r.sent_at) for r in case.referrals if r.sent_at is not None]


def _completed(case: Case) -> list[tuple[SakkyndigVurdering, datetime.datetime]]:
    """The completed expert assessments, with the time they were completed."""
    return [(sv, sv.completed_at) for sv in case.vurderinger if sv.completed_at is not None]


def _made_on(vedtak: Iterable[Enkeltvedtak]) -> list[tuple[Enkeltvedtak, datetime.date]]:
    """The made decisions of VEDTAK, with the day they were made."""
    return [(v, v.made_on) for v in vedtak if v.is_made and v.made_on is not None]


# --- the checks (pure: a case and the day, no queries) ---------------------------------


def check_referral_consent(case: Case, today: datetime.date) -> Result:
    """Every referral sent to PPT had a consent given on or before the day it
    was sent and not withdrawn then: the pupil's own from
    :data:`iop.models.CONSENT_AGE`, else a guardian's naming one of the pupil's
    guardians with parental responsibility."""
    findings: list[Finding] = []
    sent = _sent(case)
    for referral, sent_at in sent:
        day = _local(sent_at)
        own = case.pupil.age_on(day) >= CONSENT_AGE
        wanted = Consent.GivenBy.PUPIL if own else Consent.GivenBy.GUARDIAN
        # Annotated by load_cases: a consent of each giver dated on or before the day it was
        # sent (local time) and not withdrawn by then.
        valid = referral.pupil_consented if wanted == Consent.GivenBy.PUPIL else referral.guardian_consented  # type: ignore[attr-defined]
        if not valid:
            message = (
                _("The referral sent on %(date)s has no consent from the pupil (%(age)s or older) given before it.")
                if own
                else _(
                    "The referral sent on %(date)s has no consent given before it from a guardian "
                    "with parental responsibility named among the pupil's guardians."
                )
            ) % {"date": _day(day), "age": CONSENT_AGE}
            findings.append(Finding(message, _link("followup:referral_detail", referral.pk)))
    return _result(REFERRAL_CONSENT, findings, bool(sent))


def check_sv_consent(case: Case, today: datetime.date) -> Result:
    """Every completed expert assessment had the consent it needs on the day
    it was completed (:func:`iop.services.consent_problem_among`)."""
    findings: list[Finding] = []
    completed = _completed(case)
    for _sv, completed_at in completed:
        day = _local(completed_at)
        problem = consent_problem_among(case.pupil, CaseConsent.Kind.SV, day, case.consents, case.links)
        if problem:
            message = _("Expert assessment completed on %(date)s: %(problem)s") % {
                "date": _day(day),
                "problem": problem,
            }
            findings.append(Finding(message, _consents_link(case)))
    return _result(SV_CONSENT, findings, bool(completed))


def check_sv_content(case: Case, today: datetime.date) -> Result:
    """Every completed expert assessment states its minimum content
    (``SakkyndigVurdering.required_elements``, fewer when it finds no need),
    hours per subject (none when it finds no need) and the pupil's view, and the
    competence of the staff when a decision on it lets an assistant teach
    (opplæringslova §§ 11-8, 11-9)."""
    findings: list[Finding] = []
    completed = [sv for sv in case.vurderinger if not sv.is_draft]
    for sv in completed:
        link = _link("iop:vurdering_detail", sv.pk)
        empty = [
            str(getattr(SakkyndigVurdering._meta.get_field(name), "verbose_name", name))
            for name in sv.required_elements
            if not getattr(sv, name).strip()
        ]
        if empty:
            findings.append(
                Finding(
                    _("The expert assessment lacks: %(fields)s.") % {"fields": ", ".join(empty)},
                    link,
                )
            )
        subjects = list(sv.subjects.all())
        without = [s.subject for s in subjects if not s.hours]
        if not sv.finds_need:
            pass  # no need found: no hours to recommend
        elif not subjects:
            findings.append(Finding(_("The expert assessment recommends no hours in any subject."), link))
        elif without:
            findings.append(
                Finding(
                    _("The expert assessment gives no hours per year in: %(subjects)s.")
                    % {"subjects": ", ".join(without)},
                    link,
                )
            )
        if not sv.pupil_view.strip():
            findings.append(Finding(_("The expert assessment does not give the pupil's own view."), link))
        assistants = sorted(
            {
                line.subject
                for vedtak in case.vedtak
                if vedtak.vurdering_id == sv.pk
                for line in vedtak.subjects.all()
                if line.staff_competence == StaffCompetence.ASSISTANT
            }
        )
        if assistants and not sv.staff_competence.strip():
            findings.append(
                Finding(
                    _(
                        "The decision lets an assistant teach (%(subjects)s), but the expert assessment says nothing "
                        "about the staff's competence."
                    )
                    % {"subjects": ", ".join(assistants)},
                    link,
                )
            )
    return _result(SV_CONTENT, findings, bool(completed))


def check_vedtak_consent(case: Case, today: datetime.date) -> Result:
    """Every decision granting individually adapted teaching had the consent
    it needs on the day it was made (a refusal needs none)."""
    findings: list[Finding] = []
    granting = [(v, day) for v, day in _made_on(case.vedtak) if not v.is_refusal]
    for _vedtak, made_on in granting:
        problem = consent_problem_among(case.pupil, CaseConsent.Kind.VEDTAK, made_on, case.consents, case.links)
        if problem:
            message = _("Decision made on %(date)s: %(problem)s") % {"date": _day(made_on), "problem": problem}
            findings.append(Finding(message, _consents_link(case)))
    return _result(VEDTAK_CONSENT, findings, bool(granting))


def _latest_notice(vedtak: Enkeltvedtak, day: datetime.date) -> AdvanceNotice | None:
    """The latest advance notice of VEDTAK sent on or before DAY (``advance_notices`` loaded)."""
    notices = [n for n in vedtak.advance_notices.all() if n.sent_on <= day]
    return max(notices, key=lambda n: (n.sent_on, n.created_at)) if notices else None


def check_advance_notice(case: Case, today: datetime.date) -> Result:
    """Every made decision was preceded by an advance notice sent before the
    day it was made, and was made after the comment deadline or once every
    party had answered (:func:`iop.services.advance_notice_problem_among`)."""
    findings: list[Finding] = []
    made = _made_on(case.vedtak)
    for vedtak, made_on in made:
        link = _vedtak_link(vedtak)
        notice = _latest_notice(vedtak, made_on)
        if notice is None:
            findings.append(
                Finding(
                    _("The decision made on %(date)s was made without an advance notice to the parties.")
                    % {"date": _day(made_on)},
                    link,
                )
            )
            continue
        problem = advance_notice_problem_among(vedtak, made_on, notice, case.links)
        if problem:
            message = _("The decision was made on %(date)s, before the deadline for comments: %(problem)s") % {
                "date": _day(made_on),
                "problem": problem,
            }
            findings.append(Finding(message, link))
    return _result(ADVANCE_NOTICE, findings, bool(made))


def check_vedtak_content(case: Case, today: datetime.date) -> Result:
    """Every made decision, a refusal too, states its legal basis, facts and
    main considerations, the pupil's view (or why the pupil was not heard),
    hours per subject, the reason for any deviation from the expert
    assessment, and the information about the right to appeal
    (:func:`iop.checks.vedtak_flags`)."""
    findings: list[Finding] = []
    for vedtak in case.made_vedtak:
        flags = [f for f in checks.vedtak_flags(vedtak) if not f.advisory]
        made = _day(vedtak.made_on) if vedtak.made_on else ""
        for flag in flags:
            message = _("Decision made on %(date)s: %(problem)s") % {"date": made, "problem": flag.message}
            findings.append(Finding(message, _vedtak_link(vedtak)))
    return _result(VEDTAK_CONTENT, findings, bool(case.made_vedtak))


def check_vedtak_notified(case: Case, today: datetime.date) -> Result:
    """Every made decision records the day the parties were notified, from
    which the appeal deadline runs (forvaltningsloven §§ 27, 29)."""
    findings = [
        Finding(
            _("The decision made on %(date)s does not record when the parties were notified.")
            % {"date": _day(vedtak.made_on) if vedtak.made_on else ""},
            _vedtak_link(vedtak),
        )
        for vedtak in case.made_vedtak
        if vedtak.notified_on is None
    ]
    return _result(VEDTAK_NOTIFIED, findings, bool(case.made_vedtak))


def check_interim_reply(case: Case, today: datetime.date) -> Result:
    """A referral not assessed within :data:`INTERIM_AFTER` of being sent, and
    an expert assessment not decided within it of being completed, got an
    interim reply (foreløpig svar). The time runs until the answer or, when
    there is none yet, until TODAY; a referral stopped by a withdrawn consent
    is not checked. Applies to every sent referral and completed assessment."""
    findings: list[Finding] = []
    replied_referrals = {r.pk for r in case.referrals if r.interim_replied}  # type: ignore[attr-defined]
    replied_vurderinger = {sv.pk for sv in case.vurderinger if sv.interim_replied}  # type: ignore[attr-defined]
    completed = _completed(case)
    sent = _sent(case)
    for referral, sent_at in sent:
        if referral.pk in replied_referrals or referral.status == Referral.Status.STOPPED:
            continue
        answers = [completed_at for _sv, completed_at in completed if completed_at >= sent_at]
        start = _local(sent_at)
        end = _local(min(answers)) if answers else today
        if end - start > INTERIM_AFTER:
            findings.append(
                Finding(
                    _(
                        "The referral sent on %(date)s waited %(days)s days for the expert assessment without "
                        "an interim reply."
                    )
                    % {"date": _day(start), "days": (end - start).days},
                    reverse_lazy("followup:interim_reply", args=["referral", referral.pk]),
                )
            )
    for sv, completed_at in completed:
        if sv.pk in replied_vurderinger or sv.stopped_on is not None:
            continue
        decided = [made_on for v, made_on in _made_on(case.vedtak) if v.vurdering_id == sv.pk]
        start = _local(completed_at)
        end = min(decided) if decided else today
        if end - start > INTERIM_AFTER:
            findings.append(
                Finding(
                    _(
                        "The expert assessment completed on %(date)s waited %(days)s days for the decision without "
                        "an interim reply."
                    )
                    % {"date": _day(start), "days": (end - start).days},
                    reverse_lazy("followup:interim_reply", args=["vurdering", sv.pk]),
                )
            )
    return _result(INTERIM_REPLY, findings, bool(sent or completed))


def _first_published(iop: Iop) -> datetime.datetime | None:
    """When IOP was first published (``first_published`` annotated by :func:`load_cases`)."""
    return getattr(iop, "first_published", None) or iop.published_at


def check_iop_made(case: Case, today: datetime.date) -> Result:
    """A made, still valid decision granting teaching has an IOP within
    ``IOP_MISSING_AFTER_DAYS`` (:func:`iop.checks.missing_iop_flags`), and
    its first IOP was first published within that many days of the later of
    the day the decision was made and the start of its validity; an IOP not
    yet published counts until TODAY. The law says "as soon as possible"
    (opplæringslova § 11-10); the number of days is the school's own limit
    (the setting ``IOP_MISSING_AFTER_DAYS``). Publication is measured, not
    the draft, as in the key figures (:mod:`followup.kpi.selectors`): a draft
    is not yet the plan the teachers and the parents work from."""
    granting = [v for v in case.made_vedtak if not v.is_refusal]
    flags = checks.missing_iop_flags(granting, case.iops, today)
    with_iop = {iop.vedtak_id for iop in case.iops}
    waiting = [v for v in granting if v.pk not in with_iop]
    # The link leads to the decision's buttons, where "Create the IOP" is.
    fix = format_lazy("{}#vedtak-actions", _vedtak_link(waiting[0])) if waiting else ""
    findings = [Finding(flag.message, fix) for flag in flags]
    limit = checks.missing_after_days()
    for vedtak in granting:
        plans = [iop for iop in case.iops if iop.vedtak_id == vedtak.pk]
        if not plans or vedtak.made_on is None:
            continue
        start = max(vedtak.made_on, vedtak.valid_from)
        published = [(moment, iop) for iop in plans if (moment := _first_published(iop)) is not None]
        if published:
            moment, plan = min(published, key=lambda pair: pair[0])
            end = _local(moment)
        else:
            plan, end = min(plans, key=lambda iop: iop.created_at), today
        days = (end - start).days
        if days <= limit:
            continue
        values = {"days": days, "date": _day(start), "limit": limit}
        if not published:
            message = _("The IOP is not yet published, %(days)s days after the decision %(when)s (%(date)s).")
        else:
            message = _("The IOP was first published %(days)s days after the decision %(when)s (%(date)s).")
        values["when"] = _("took effect") if vedtak.valid_from > vedtak.made_on else _("was made")
        limit_note = _("The school's own limit is %(limit)s days; opplæringslova § 11-10 says as soon as possible.")
        findings.append(Finding(f"{message % values} {limit_note % values}", _link("iop:iop_detail", plan.pk)))
    return _result(IOP_MADE, findings, bool(granting))


def _live_iops(case: Case) -> list[Iop]:
    return [iop for iop in case.iops if iop.status != Iop.Status.ARCHIVED]


def check_iop_content(case: Case, today: datetime.date) -> Result:
    """Every live IOP records who took part, the pupil's strengths, aids,
    when and how it is evaluated and the pupil's view, and passes the
    clear-line checks that stop publishing (a goal in every subject, hours
    and their split within the decision: :func:`iop.checks.iop_flags`)."""
    findings: list[Finding] = []
    live = _live_iops(case)
    for iop in live:
        link = _link("iop:iop_detail", iop.pk)
        empty = checks.missing_content(iop)
        if empty:
            findings.append(Finding(_("The IOP does not record: %(fields)s.") % {"fields": ", ".join(empty)}, link))
        for flag in checks.iop_flags(iop, candidates=case.vedtak):
            if flag.blocks_publishing:
                findings.append(Finding(flag.message, link))
    return _result(IOP_CONTENT, findings, bool(live))


def _best_report(reports: list[Report]) -> Report:
    """Of several årsrapporter on one IOP, the one furthest on: finalised, sent, latest."""
    return max(
        reports,
        key=lambda r: (
            not r.is_draft,
            r.sent_to_guardians_on is not None and r.sent_to_school_owner_on is not None,
            r.period_end,
            r.created_at,
        ),
    )


def check_aarsrapport(case: Case, today: datetime.date) -> Result:
    """Every IOP whose period or school year has ended, and every IOP with a
    finalised årsrapport, has an årsrapport, finalised, with the dates it was sent to
    the pupil and guardians and to the school owner (opplæringslova § 11-10)."""
    findings: list[Finding] = []
    by_iop: dict[Any, list[Report]] = defaultdict(list)
    for report in case.reports:
        if report.kind == Report.Kind.AARSRAPPORT:
            by_iop[report.iop_id].append(report)
    # A draft written during the year is work in progress; a report finalised
    # (or sent) counts from then on.
    begun = {key for key, reports in by_iop.items() if any(not r.is_draft for r in reports)}
    due = [iop for iop in case.iops if iop.period_end < today or iop.school_year.end < today or iop.pk in begun]
    for iop in due:
        period = {"start": _day(iop.period_start), "end": _day(iop.period_end)}
        if iop.pk not in by_iop:
            findings.append(
                Finding(
                    _("The IOP %(start)s–%(end)s has no årsrapport.") % period,
                    _link("iop:iop_detail", iop.pk),
                )
            )
            continue
        report = _best_report(by_iop[iop.pk])
        link = _link("reports:report_detail", report.pk)
        if report.is_draft:
            findings.append(Finding(_("The årsrapport for %(start)s–%(end)s is still a draft.") % period, link))
            continue
        if report.sent_to_guardians_on is None:
            findings.append(
                Finding(
                    _("The årsrapport for %(start)s–%(end)s is not recorded as sent to the pupil and the guardians.")
                    % period,
                    link,
                )
            )
        if report.sent_to_school_owner_on is None:
            findings.append(
                Finding(
                    _("The årsrapport for %(start)s–%(end)s is not recorded as sent to the school owner.") % period,
                    link,
                )
            )
    return _result(AARSRAPPORT, findings, bool(due))


def _owner_step_done_on(appeal: Appeal) -> datetime.date | None:
    """The day the school owner's step on APPEAL was done: sent to
    Statsforvalteren, or the decision changed (or the appeal dismissed) by the
    school owner, or a final outcome recorded; None while it is not done."""
    days = []
    if appeal.sent_on is not None:
        days.append(appeal.sent_on)
    if appeal.owner_reviewed_on is not None and appeal.owner_outcome not in ("", Appeal.Outcome.UPHELD):
        days.append(appeal.owner_reviewed_on)
    if appeal.final_outcome and appeal.final_outcome_on is not None:
        days.append(appeal.final_outcome_on)
    return min(days) if days else None


def check_appeals(case: Case, today: datetime.date) -> Result:
    """Every appeal is reviewed by the school owner and, when the school
    owner does not change the decision, sent to Statsforvalteren
    (forvaltningsloven § 33), within the review deadline of the årshjul duty
    :data:`APPEAL_DUTY` (``Case.appeal_review_days`` days from the day it was
    received). While that deadline runs an appeal is in progress, not
    missing; it is missing when the deadline has passed with the step not
    done, or when the step was recorded after the deadline."""
    findings: list[Finding] = []
    appeals = [appeal for vedtak in case.vedtak for appeal in vedtak.appeals.all()]
    for appeal in appeals:
        due = appeal.received_on + datetime.timedelta(days=case.appeal_review_days)
        done_on = _owner_step_done_on(appeal)
        link = _link("iop:appeal_edit", appeal.pk)
        if done_on is not None:
            if done_on > due:
                message = _(
                    "The appeal received on %(date)s: the school owner's step was recorded on %(done)s, after the "
                    "deadline %(due)s (%(days)s days on the årshjul)."
                ) % {
                    "date": _day(appeal.received_on),
                    "done": _day(done_on),
                    "due": _day(due),
                    "days": case.appeal_review_days,
                }
                findings.append(Finding(message, link))
            continue
        if not appeal.is_open or today <= due:
            continue
        message = _("The appeal received on %(date)s: %(step)s") % {
            "date": _day(appeal.received_on),
            "step": appeal.waits_for(),
        }
        findings.append(Finding(message, link))
    return _result(APPEALS, findings, bool(appeals))


Check = Callable[[Case, datetime.date], Result]

#: Every check, in the order of the chain.
CHECKS: tuple[Check, ...] = (
    check_referral_consent,
    check_sv_consent,
    check_sv_content,
    check_interim_reply,
    check_advance_notice,
    check_vedtak_consent,
    check_vedtak_content,
    check_vedtak_notified,
    check_appeals,
    check_iop_made,
    check_iop_content,
    check_aarsrapport,
)

#: The requirements in the order of :data:`CHECKS`.
REQUIREMENTS: tuple[Requirement, ...] = (
    REFERRAL_CONSENT,
    SV_CONSENT,
    SV_CONTENT,
    INTERIM_REPLY,
    ADVANCE_NOTICE,
    VEDTAK_CONSENT,
    VEDTAK_CONTENT,
    VEDTAK_NOTIFIED,
    APPEALS,
    IOP_MADE,
    IOP_CONTENT,
    AARSRAPPORT,
)


def check_case(case: Case, today: datetime.date) -> list[Result]:
    """Every requirement (:data:`CHECKS`) checked for one pupil; no queries."""
    return [check(case, today) for check in CHECKS]


# --- loading ----------------------------------------------------------------------------


def appeal_review_days_of(school: str) -> Any:
    """A query expression: the days the school owner has to review an appeal
    at the school reached by the path SCHOOL from the query's model (``""``
    for a ``School``, ``"school__"`` for a ``Pupil``): the offset of the
    årshjul duty :data:`APPEAL_DUTY` in force there (the school's own duty,
    else the årshjul's chosen for the school, else its school owner's årshjul's when
    the owner has one, else the built-in årshjul's for its kind, as
    :func:`followup.deadlines.aarshjul_for` chooses), else
    :data:`DEFAULT_APPEAL_REVIEW_DAYS`. Subqueries: no query of its own."""
    duties = Duty.objects.filter(key=APPEAL_DUTY)
    own = duties.filter(school_id=OuterRef(f"{school}pk"))
    choice = AarshjulChoice.objects.filter(school_id=OuterRef(OuterRef(f"{school}pk"))).values("aarshjul_id")
    chosen = duties.filter(aarshjul_id__in=choice)
    owner = OuterRef(f"{school}skoleeier_id")
    owners = duties.filter(aarshjul__skoleeier_id=owner)

    def builtin(key: str) -> Subquery:
        return Subquery(duties.filter(aarshjul__builtin_key=key).values("offset_days")[:1])

    by_kind = models.Case(
        *[When(**{f"{school}kind": kind}, then=builtin(key)) for kind, key in BUILTIN_FOR_KIND.items()],
        default=builtin(BUILTIN_DEFAULT),
    )
    wheel = models.Case(
        When(Exists(Aarshjul.objects.filter(skoleeier_id=owner)), then=Subquery(owners.values("offset_days")[:1])),
        default=by_kind,
    )
    return Coalesce(
        Subquery(own.values("offset_days")[:1]),
        Subquery(chosen.values("offset_days")[:1]),
        wheel,
        Value(DEFAULT_APPEAL_REVIEW_DAYS),
        output_field=IntegerField(),
    )


def appeal_review_days(schools: Iterable[School]) -> dict[Any, int]:
    """{school id: days the school owner has to review an appeal there} for
    SCHOOLS (see :func:`appeal_review_days_of`). One query, whatever the
    number of schools."""
    ids = [s.pk for s in schools]
    return dict(School.objects.filter(pk__in=ids).annotate(days=appeal_review_days_of("")).values_list("pk", "days"))


def _referrals() -> QuerySet[Referral]:
    """Referrals with what the checks ask of them: ``interim_replied`` (an
    interim reply was recorded on it) and ``pupil_consented`` /
    ``guardian_consented`` (a consent of that giver dated on or before the
    local day it was sent and not withdrawn by the end of that day)."""
    sent_day = OuterRef("sent_day")

    def consented(given_by: str) -> Exists:
        valid = (
            Consent.objects.filter(referral_id=OuterRef("pk"), given_by=given_by, date__lte=sent_day)
            .annotate(withdrawn_day=TruncDate("withdrawn_at"))
            .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_day__gt=sent_day))
        )
        if given_by == Consent.GivenBy.GUARDIAN:
            # A guardian's consent counts only when it names a guardian of the pupil with
            # parental responsibility (still one on the day of the consent): a name typed
            # freely, as consents were recorded once, does not show who consented.
            links = (
                GuardianLink.all_objects.filter(
                    pupil_id=OuterRef("pupil_id"), user_id=OuterRef("guardian_id"), parental_responsibility=True
                )
                .annotate(ended_day=TruncDate("ended_at"))
                .filter(Q(ended_at__isnull=True) | Q(ended_day__gt=OuterRef("date")))
            )
            valid = valid.filter(Exists(links))
        return Exists(valid)

    return Referral.objects.annotate(sent_day=TruncDate("sent_at")).annotate(
        interim_replied=Exists(InterimReply.objects.filter(referral_id=OuterRef("pk"))),
        pupil_consented=consented(Consent.GivenBy.PUPIL),
        guardian_consented=consented(Consent.GivenBy.GUARDIAN),
    )


def load_cases(pupils: QuerySet[Pupil]) -> list[Case]:
    """The :class:`Case` of every pupil of PUPILS (already filtered by the
    access layer), read with a fixed number of queries (fifteen at most)
    whatever the number of pupils: the pupils and one prefetch per kind of
    record. The appeal review deadline is a subquery of the pupils' query
    (:func:`appeal_review_days_of`), interim replies and referral consents
    are subqueries of the referrals' and assessments' queries
    (:func:`_referrals`), and each decision's sakkyndig vurdering is the
    pupil's, already loaded."""
    # Each decision's pupil is the pupil it is prefetched for (Django sets it).
    vedtak_qs = Enkeltvedtak.objects.prefetch_related(
        "subjects",
        Prefetch("advance_notices", queryset=AdvanceNotice.objects.prefetch_related("comments")),
        "appeals",
    )
    first_version = IopVersion.objects.filter(iop_id=OuterRef("pk")).order_by("published_at").values("published_at")[:1]
    iop_qs = (
        Iop.objects.select_related("school_year")
        .annotate(first_published=Subquery(first_version))
        .prefetch_related("sections", "goals")
    )
    rows = list(
        pupils.select_related("school")
        .annotate(appeal_review_days=appeal_review_days_of("school__"))
        .prefetch_related(
            # Each list is set as a plain attribute (``to_attr``): a related
            # manager's queryset made per pupil costs more than the rows.
            Prefetch("referrals", queryset=_referrals(), to_attr="case_referrals"),
            Prefetch("case_consents", queryset=CaseConsent.objects.all(), to_attr="case_consent_list"),
            Prefetch("guardian_links", queryset=GuardianLink.objects.select_related("user"), to_attr="case_links"),
            Prefetch(
                "sakkyndige_vurderinger",
                queryset=SakkyndigVurdering.objects.annotate(
                    interim_replied=Exists(InterimReply.objects.filter(vurdering_id=OuterRef("pk")))
                ).prefetch_related("subjects"),
                to_attr="case_vurderinger",
            ),
            Prefetch("enkeltvedtak", queryset=vedtak_qs, to_attr="case_vedtak"),
            Prefetch("iops", queryset=iop_qs, to_attr="case_iops"),
            Prefetch("reports", queryset=Report.objects.all(), to_attr="case_reports"),
        )
    )
    cases = []
    for pupil in rows:
        vurderinger: list[SakkyndigVurdering] = list(pupil.case_vurderinger)  # type: ignore[attr-defined]
        sv_by_id = {sv.pk: sv for sv in vurderinger}
        vedtak = pupil.case_vedtak  # type: ignore[attr-defined]
        for v in vedtak:  # the decision's vurdering is one of the pupil's: reuse the loaded row
            if v.vurdering_id in sv_by_id:
                v.vurdering = sv_by_id[v.vurdering_id]
        by_id = {v.pk: v for v in vedtak}
        iops: list[Iop] = list(pupil.case_iops)  # type: ignore[attr-defined]
        for iop in iops:  # the IOP's vedtak is one of the pupil's: reuse the loaded row
            if iop.vedtak_id in by_id:
                iop.vedtak = by_id[iop.vedtak_id]
        cases.append(
            Case(
                pupil=pupil,
                referrals=pupil.case_referrals,  # type: ignore[attr-defined]
                consents=pupil.case_consent_list,  # type: ignore[attr-defined]
                links=pupil.case_links,  # type: ignore[attr-defined]
                vurderinger=vurderinger,
                vedtak=vedtak,
                iops=iops,
                reports=pupil.case_reports,  # type: ignore[attr-defined]
                appeal_review_days=pupil.appeal_review_days,  # type: ignore[attr-defined]
            )
        )
    return cases


@dataclass(frozen=True)
class PupilCheck:
    pupil: Pupil
    results: list[Result]

    @property
    def missing(self) -> list[Result]:
        return [r for r in self.results if r.is_missing]


@dataclass(frozen=True)
class SchoolRow:
    """One requirement across a school: the pupils it is missing for."""

    requirement: Requirement
    applies: int
    missing: list[Pupil]


def in_the_chain(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """The pupils of PUPILS any requirement can apply to: those with a
    referral, a sakkyndig vurdering, an enkeltvedtak, an IOP or a report.
    Every requirement of :data:`REQUIREMENTS` is about one of these records
    (appeals are about a decision), so for every other pupil each check
    answers :attr:`Status.NOT_APPLICABLE`; reading only these keeps a
    school of hundreds of pupils to the few in the chain. One query when
    evaluated (five ``EXISTS`` subqueries)."""
    pupil = OuterRef("pk")
    return pupils.filter(
        Exists(Referral.objects.filter(pupil_id=pupil))
        | Exists(SakkyndigVurdering.objects.filter(pupil_id=pupil))
        | Exists(Enkeltvedtak.objects.filter(pupil_id=pupil))
        | Exists(Iop.objects.filter(pupil_id=pupil))
        | Exists(Report.objects.filter(pupil_id=pupil))
    )


def check_pupils(pupils: QuerySet[Pupil], today: datetime.date) -> list[PupilCheck]:
    """Every requirement for every pupil of PUPILS (see :func:`load_cases`)."""
    return [PupilCheck(case.pupil, check_case(case, today)) for case in load_cases(pupils)]


def check_school(pupils: QuerySet[Pupil], today: datetime.date) -> tuple[int, list[PupilCheck]]:
    """(How many pupils PUPILS holds, the checks of those of them
    :func:`in_the_chain`, by name): the others are counted but not read,
    since no requirement applies to them. PUPILS are one school's (the
    access layer's). The count is a subquery of the checked pupils' query;
    it takes a query of its own only when no pupil is in the chain."""
    everyone = pupils.order_by().values("school").annotate(n=models.Count("pk")).values("n")[:1]
    chain = in_the_chain(pupils).annotate(school_pupils=Subquery(everyone))
    checked = check_pupils(chain.order_by("last_name", "first_name", "pk"), today)
    counted = checked[0].pupil.school_pupils if checked else pupils.count()  # type: ignore[attr-defined]
    return counted, checked


def school_rows(checked: Iterable[PupilCheck]) -> list[SchoolRow]:
    """Per requirement: for how many pupils it applies and the pupils it is missing for."""
    checked = list(checked)
    rows = []
    for index, requirement in enumerate(REQUIREMENTS):
        applies = [c for c in checked if c.results[index].status != Status.NOT_APPLICABLE]
        missing = [c.pupil for c in applies if c.results[index].is_missing]
        rows.append(SchoolRow(requirement, len(applies), missing))
    return rows
