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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from iop import checks
from iop.models import (
    CONSENT_AGE,
    AdvanceNotice,
    CaseConsent,
    Enkeltvedtak,
    Iop,
    SakkyndigVurdering,
    StaffCompetence,
)
from iop.reports.models import Report
from iop.services import advance_notice_problem_among, consent_problem_among
from students.models import GuardianLink, Pupil

from .models import Consent, InterimReply, Referral

#: The minimum content of an expert assessment (opplæringslova § 11-8), besides hours per subject.
SV_ELEMENTS = ("benefit_from_ordinary", "why_insufficient", "realistic_goals", "recommended_measures")

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
    source: str


@dataclass(frozen=True)
class Finding:
    """One thing missing, and where to fix it ("" when there is no page)."""

    message: str
    link: str = ""


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
    #: The årsrapport of each IOP (the fields the checks read: id, IOP, kind, status, when sent).
    reports: list[Report] = field(default_factory=list)
    #: The ids of the referrals and expert assessments that got an interim reply.
    replied: frozenset[Any] = frozenset()

    @property
    def made_vedtak(self) -> list[Enkeltvedtak]:
        return [v for v in self.vedtak if v.is_made]


# --- requirements -------------------------------------------------------------------

REFERRAL_CONSENT = Requirement(
    "referral_consent", gettext_lazy("Consent before the referral to PPT"), "opplæringslova §§ 11-6 og 11-8"
)
SV_CONSENT = Requirement("sv_consent", gettext_lazy("Consent before the expert assessment"), "opplæringslova § 11-8")
SV_CONTENT = Requirement(
    "sv_content",
    gettext_lazy("Expert assessment complete: hours per subject, staff competence, the pupil's view"),
    "opplæringslova §§ 11-8 og 11-9",
)
VEDTAK_CONSENT = Requirement("vedtak_consent", gettext_lazy("Consent before the decision"), "opplæringslova § 11-6")
ADVANCE_NOTICE = Requirement(
    "advance_notice",
    gettext_lazy("Advance notice (forhåndsvarsel) before the decision, and its deadline respected"),
    "forvaltningsloven § 16",
)
VEDTAK_CONTENT = Requirement(
    "vedtak_content",
    gettext_lazy("Decision with reasons, the pupil's view, deviations explained and appeal information"),
    "opplæringslova § 11-6, forvaltningsloven §§ 24–25 og 27",
)
VEDTAK_NOTIFIED = Requirement(
    "vedtak_notified", gettext_lazy("The parties notified of the decision, with the date"), "forvaltningsloven § 27"
)
INTERIM_REPLY = Requirement(
    "interim_reply",
    gettext_lazy("Interim reply when a case took more than a month"),
    "forvaltningsloven § 11 a",
)
IOP_MADE = Requirement(
    "iop_made", gettext_lazy("IOP made as soon as possible after the decision"), "opplæringslova § 11-10"
)
IOP_CONTENT = Requirement(
    "iop_content",
    gettext_lazy("IOP complete: who took part, strengths, aids, evaluation, the pupil's view, goals, hours"),
    "opplæringslova § 11-10",
)
AARSRAPPORT = Requirement(
    "aarsrapport",
    gettext_lazy("Årsrapport written and sent to the guardians and the school owner"),
    "opplæringslova § 11-10",
)
APPEALS = Requirement(
    "appeals",
    gettext_lazy("Appeals reviewed by the school owner and sent to Statsforvalteren"),
    "forvaltningsloven §§ 28–33",
)


def _day(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _local(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def _result(requirement: Requirement, findings: list[Finding], applies: bool) -> Result:
    if findings:
        return Result(requirement, Status.MISSING, tuple(findings))
    return Result(requirement, Status.OK if applies else Status.NOT_APPLICABLE)


def _vedtak_link(vedtak: Enkeltvedtak) -> str:
    return reverse("iop:vedtak_detail", args=[vedtak.pk])


def _consents_link(case: Case) -> str:
    return reverse("iop:consents", args=[case.pupil.pk])


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
    :data:`iop.models.CONSENT_AGE`, else a guardian's."""
    findings: list[Finding] = []
    sent = _sent(case)
    for referral, sent_at in sent:
        day = _local(sent_at)
        own = case.pupil.age_on(day) >= CONSENT_AGE
        wanted = Consent.GivenBy.PUPIL if own else Consent.GivenBy.GUARDIAN
        valid = [
            c
            for c in referral.consents.all()
            if c.date <= day and c.given_by == wanted and (c.withdrawn_at is None or _local(c.withdrawn_at) > day)
        ]
        if not valid:
            message = (
                _("The referral sent on %(date)s has no consent from the pupil (%(age)s or older) given before it.")
                if own
                else _("The referral sent on %(date)s has no consent from a guardian given before it.")
            ) % {"date": _day(day), "age": CONSENT_AGE}
            findings.append(Finding(message, reverse("followup:referral_detail", args=[referral.pk])))
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
    (:data:`SV_ELEMENTS`), hours per subject and the pupil's view, and the
    competence of the staff when a decision on it lets an assistant teach
    (opplæringslova §§ 11-8, 11-9)."""
    findings: list[Finding] = []
    completed = [sv for sv in case.vurderinger if not sv.is_draft]
    for sv in completed:
        link = reverse("iop:vurdering_detail", args=[sv.pk])
        empty = [
            str(getattr(SakkyndigVurdering._meta.get_field(name), "verbose_name", name))
            for name in SV_ELEMENTS
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
        if not subjects:
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
    replied_referrals = replied_vurderinger = case.replied
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
                    reverse("followup:interim_reply", args=["referral", referral.pk]),
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
                    reverse("followup:interim_reply", args=["vurdering", sv.pk]),
                )
            )
    return _result(INTERIM_REPLY, findings, bool(sent or completed))


def check_iop_made(case: Case, today: datetime.date) -> Result:
    """A made, still valid decision granting teaching has an IOP within
    ``IOP_MISSING_AFTER_DAYS`` (:func:`iop.checks.missing_iop_flags`), and
    every IOP was made within that many days of its decision taking effect
    (the later of the day it was made and the start of its validity)."""
    granting = [v for v in case.made_vedtak if not v.is_refusal]
    flags = checks.missing_iop_flags(granting, case.iops, today)
    with_iop = {iop.vedtak_id for iop in case.iops}
    waiting = [v for v in granting if v.pk not in with_iop]
    findings = [Finding(flag.message, _vedtak_link(waiting[0]) if waiting else "") for flag in flags]
    limit = checks.missing_after_days()
    for vedtak in granting:
        made = [_local(iop.created_at) for iop in case.iops if iop.vedtak_id == vedtak.pk]
        if not made or vedtak.made_on is None:
            continue
        start = max(vedtak.made_on, vedtak.valid_from)
        days = (min(made) - start).days
        if days > limit:
            findings.append(
                Finding(
                    _(
                        "The IOP was made %(days)s days after the decision took effect (%(date)s); "
                        "the limit is %(limit)s days."
                    )
                    % {"days": days, "date": _day(start), "limit": limit},
                    _vedtak_link(vedtak),
                )
            )
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
        link = reverse("iop:iop_detail", args=[iop.pk])
        empty = [
            str(getattr(Iop._meta.get_field(name), "verbose_name", name))
            for name in ("participants", "strengths", "aids", "evaluation", "pupil_view")
            if not getattr(iop, name).strip()
        ]
        if empty:
            findings.append(Finding(_("The IOP does not record: %(fields)s.") % {"fields": ", ".join(empty)}, link))
        for flag in checks.iop_flags(iop, candidates=case.vedtak):
            if flag.blocks_publishing:
                findings.append(Finding(flag.message, link))
    return _result(IOP_CONTENT, findings, bool(live))


def check_aarsrapport(case: Case, today: datetime.date) -> Result:
    """Every IOP whose period has ended has an årsrapport, finalised, with the
    dates it was sent to the pupil and guardians and to the school owner."""
    findings: list[Finding] = []
    ended = [iop for iop in case.iops if iop.period_end < today]
    reports = {r.iop_id: r for r in case.reports if r.kind == Report.Kind.AARSRAPPORT}
    for iop in ended:
        report = reports.get(iop.pk)
        period = {"start": _day(iop.period_start), "end": _day(iop.period_end)}
        if report is None:
            findings.append(
                Finding(
                    _("The IOP %(start)s–%(end)s has no årsrapport.") % period,
                    reverse("iop:iop_detail", args=[iop.pk]),
                )
            )
            continue
        link = reverse("reports:report_detail", args=[report.pk])
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
    return _result(AARSRAPPORT, findings, bool(ended))


def check_appeals(case: Case, today: datetime.date) -> Result:
    """Every open appeal is reviewed by the school owner, and sent to
    Statsforvalteren when the school owner did not change the decision
    (forvaltningsloven § 33). Closed appeals are fine."""
    findings: list[Finding] = []
    appeals = [appeal for vedtak in case.vedtak for appeal in vedtak.appeals.all()]
    for appeal in appeals:
        if not appeal.is_open or appeal.sent_on is not None:
            continue
        unchanged = appeal.owner_outcome in ("", "upheld")
        if appeal.owner_reviewed_on is not None and not unchanged:
            continue
        message = _("The appeal received on %(date)s: %(step)s") % {
            "date": _day(appeal.received_on),
            "step": appeal.waits_for(),
        }
        findings.append(Finding(message, reverse("iop:appeal_edit", args=[appeal.pk])))
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


def _aarsrapport(iop: Iop) -> Report:
    """The årsrapport of IOP as :func:`load_cases` read it (its ``aarsrapport_*`` fields)."""
    return Report(
        pk=iop.aarsrapport_pk,  # type: ignore[attr-defined]
        iop_id=iop.pk,
        pupil_id=iop.pupil_id,
        kind=Report.Kind.AARSRAPPORT,
        status=iop.aarsrapport_status,  # type: ignore[attr-defined]
        sent_to_guardians_on=iop.aarsrapport_sent_to_guardians_on,  # type: ignore[attr-defined]
        sent_to_school_owner_on=iop.aarsrapport_sent_to_school_owner_on,  # type: ignore[attr-defined]
    )


def load_cases(pupils: QuerySet[Pupil]) -> list[Case]:
    """The :class:`Case` of every pupil of PUPILS (already filtered by the
    access layer), read with a fixed number of queries (about fifteen)
    whatever the number of pupils: prefetches; whether a referral or an
    expert assessment got an interim reply is a subquery of its row."""
    vedtak_qs = Enkeltvedtak.objects.select_related("vurdering", "pupil").prefetch_related(
        "subjects",
        Prefetch("advance_notices", queryset=AdvanceNotice.objects.prefetch_related("comments")),
        "appeals",
    )
    # An IOP has at most one årsrapport: its fields are subqueries of the IOP's row.
    aarsrapport = Report.objects.filter(iop=OuterRef("pk"), kind=Report.Kind.AARSRAPPORT)
    iop_qs = Iop.objects.annotate(
        **{
            f"aarsrapport_{name}": Subquery(aarsrapport.values(name)[:1])
            for name in ("pk", "status", "sent_to_guardians_on", "sent_to_school_owner_on")
        }
    ).prefetch_related("sections", "goals")
    replied = Exists(InterimReply.objects.filter(referral=OuterRef("pk")))
    sv_replied = Exists(InterimReply.objects.filter(vurdering=OuterRef("pk")))
    rows = list(
        pupils.prefetch_related(
            Prefetch(
                "referrals", queryset=Referral.objects.annotate(has_interim_reply=replied).prefetch_related("consents")
            ),
            Prefetch("case_consents", queryset=CaseConsent.objects.all()),
            Prefetch("guardian_links", queryset=GuardianLink.objects.select_related("user")),
            Prefetch(
                "sakkyndige_vurderinger",
                queryset=SakkyndigVurdering.objects.annotate(has_interim_reply=sv_replied).prefetch_related("subjects"),
            ),
            Prefetch("enkeltvedtak", queryset=vedtak_qs),
            Prefetch("iops", queryset=iop_qs),
        )
    )
    cases = []
    for pupil in rows:
        vedtak = list(pupil.enkeltvedtak.all())
        vurderinger = {sv.pk: sv for sv in pupil.sakkyndige_vurderinger.all()}  # type: ignore[attr-defined]
        for v in vedtak:  # the vedtak's SV is one of the pupil's: reuse the loaded row and its subjects
            if v.vurdering_id in vurderinger:
                v.vurdering = vurderinger[v.vurdering_id]
            else:  # pragma: no cover - a vedtak rests on the pupil's own SV
                prefetch_related_objects([v.vurdering], "subjects")
        by_id = {v.pk: v for v in vedtak}
        iops = list(pupil.iops.all())
        for iop in iops:  # the IOP's vedtak is one of the pupil's: reuse the loaded row
            if iop.vedtak_id in by_id:
                iop.vedtak = by_id[iop.vedtak_id]
        cases.append(
            Case(
                pupil=pupil,
                referrals=list(pupil.referrals.all()),  # type: ignore[attr-defined]
                consents=list(pupil.case_consents.all()),
                links=list(pupil.guardian_links.all()),
                vurderinger=list(pupil.sakkyndige_vurderinger.all()),
                vedtak=vedtak,
                iops=iops,
                reports=[_aarsrapport(iop) for iop in iops if iop.aarsrapport_pk is not None],  # type: ignore[attr-defined]
                replied=frozenset(
                    [r.pk for r in pupil.referrals.all() if r.has_interim_reply]  # type: ignore[attr-defined]
                    + [sv.pk for sv in vurderinger.values() if sv.has_interim_reply]  # type: ignore[attr-defined]
                ),
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


def check_pupils(pupils: QuerySet[Pupil], today: datetime.date) -> list[PupilCheck]:
    """Every requirement for every pupil of PUPILS (see :func:`load_cases`)."""
    return [PupilCheck(case.pupil, check_case(case, today)) for case in load_cases(pupils)]


def school_rows(checked: Iterable[PupilCheck]) -> list[SchoolRow]:
    """Per requirement: for how many pupils it applies and the pupils it is missing for."""
    checked = list(checked)
    rows = []
    for index, requirement in enumerate(REQUIREMENTS):
        applies = [c for c in checked if c.results[index].status != Status.NOT_APPLICABLE]
        missing = [c.pupil for c in applies if c.results[index].is_missing]
        rows.append(SchoolRow(requirement, len(applies), missing))
    return rows
