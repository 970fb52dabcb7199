"""The tilsyn check (followup.tilsyn): every requirement stays quiet on a
case done by the book and fires when one step is left out; the pages run a
fixed number of queries for 3 and 30 pupils."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from followup import tilsyn
from followup.models import Consent, InterimReply, Referral
from iop.models import (
    AccessLogEntry,
    AdvanceNotice,
    AdvanceNoticeComment,
    Appeal,
    CaseConsent,
    Enkeltvedtak,
    EnkeltvedtakSubject,
    Goal,
    Iop,
    IopSubject,
    IopVersion,
    SakkyndigVurdering,
    SakkyndigVurderingSubject,
    StaffCompetence,
)
from iop.reports.models import Report
from students.models import Pupil
from tests import factories as f
from tests.followup.conftest import YearSchool
from tests.iop.factories import GoalFactory
from tests.queries import assert_same_queries, page_queries

D = datetime.date
TODAY = "2027-06-25"  # the school year 2026/27 has ended; the decision is still valid


def at(day: str = TODAY) -> time_machine.travel:
    return time_machine.travel(f"{day}T09:00:00+02:00", tick=False)


def aware(day: D) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 9))


@dataclass
class Case:
    pupil: Pupil
    referral: Referral
    referral_consent: Consent
    sv: SakkyndigVurdering
    vedtak: Enkeltvedtak
    notice: AdvanceNotice
    appeal: Appeal
    iop: Iop
    report: Report


def by_the_book(vgs: YearSchool, pupil: Pupil) -> Case:
    """A pupil of 16 whose whole chain is done by the book: consent, referral,
    SV in three weeks, forhåndsvarsel, vedtak with reasons after the deadline,
    notified, an appeal sent on, the IOP complete, the årsrapport sent."""
    referral = Referral.objects.create(
        pupil=pupil, question="Lesing?", report="Rapport", status=Referral.Status.ASSESSED, sent_at=aware(D(2026, 5, 4))
    )
    own = {"given_by": "pupil", "name": pupil.full_name, "method": "signed"}
    referral_consent = Consent.objects.create(referral=referral, pupil=pupil, date=D(2026, 5, 1), **own)
    for kind in (CaseConsent.Kind.SV, CaseConsent.Kind.VEDTAK):
        CaseConsent.objects.create(pupil=pupil, kind=kind, date=D(2026, 5, 1), **own)
    sv = SakkyndigVurdering.objects.create(
        pupil=pupil,
        status=SakkyndigVurdering.Status.COMPLETED,
        assessed_on=D(2026, 5, 20),
        completed_at=aware(D(2026, 5, 20)),
        valid_from=vgs.year.start,
        valid_to=D(2027, 6, 30),
        benefit_from_ordinary="Noe",
        why_insufficient="Trenger tid",
        realistic_goals="Lese 100 ord",
        recommended_measures="Liten gruppe",
        staff_competence="Assistent med veiledning av spesialpedagog",
        pupil_view="Vil lese i liten gruppe.",
    )
    SakkyndigVurderingSubject.objects.create(vurdering=sv, subject="Norsk", hours=76)
    vedtak = Enkeltvedtak.objects.create(
        pupil=pupil,
        vurdering=sv,
        status=Enkeltvedtak.Status.MADE,
        valid_from=sv.valid_from,
        valid_to=sv.valid_to,
        facts="Lite utbytte i norsk.",
        main_considerations="Til elevens beste.",
        pupil_view="Eleven ønsker liten gruppe.",
        made_on=D(2026, 6, 10),
        notified_on=D(2026, 6, 11),
    )
    EnkeltvedtakSubject.objects.create(
        vedtak=vedtak, subject="Norsk", hours=76, staff_competence=StaffCompetence.ASSISTANT
    )
    notice = AdvanceNotice.objects.create(vedtak=vedtak, sent_on=D(2026, 5, 25), comment_deadline=D(2026, 6, 8))
    appeal = Appeal.objects.create(
        vedtak=vedtak,
        received_on=D(2026, 6, 20),
        appellant="Foresatte",
        owner_reviewed_on=D(2026, 6, 25),
        owner_outcome=Appeal.Outcome.UPHELD,
        sent_on=D(2026, 6, 26),
    )
    iop = Iop.objects.create(
        pupil=pupil,
        vedtak=vedtak,
        school_year=vgs.year,
        status=Iop.Status.PUBLISHED,
        published_at=aware(D(2026, 8, 20)),
        period_start=vgs.year.start,
        period_end=vgs.year.end,
        pupil_view="Vil lese om dyr.",
        participants="Eleven, foresatte, kontaktlærer",
        strengths="Glad i dyr",
        aids="Lydbøker",
        evaluation="Hver januar og juni",
        created_at=aware(D(2026, 8, 20)),
    )
    section = IopSubject.objects.create(iop=iop, subject="Norsk", hours=76, hours_teacher=40, hours_assistant=36)
    GoalFactory(iop=iop, section=section)
    report = Report.objects.create(
        pupil=pupil,
        iop=iop,
        status=Report.Status.FINALISED,
        period_start=iop.period_start,
        period_end=iop.period_end,
        finalised_at=aware(D(2027, 6, 19)),
        pdf="reports/x.pdf",
        pdf_sha256="0" * 64,
        sent_to_guardians_on=D(2027, 6, 20),
        sent_to_school_owner_on=D(2027, 6, 21),
    )
    return Case(pupil, referral, referral_consent, sv, vedtak, notice, appeal, iop, report)


def results(pupil: Pupil) -> dict[str, tilsyn.Result]:
    """The results for PUPIL, their messages in the source language (the
    English of the msgids: no catalog, not even the English one)."""
    with translation.override(None):
        checked = tilsyn.check_pupils(Pupil.objects.filter(pk=pupil.pk), timezone.localdate())[0]
    return {r.requirement.code: r for r in checked.results}


@pytest.mark.parametrize("code", [r.code for r in tilsyn.REQUIREMENTS])
def test_each_requirement_is_quiet_on_a_case_done_by_the_book(vgs: YearSchool, code: str) -> None:
    with at():
        case = by_the_book(vgs, vgs.pupils[0])
        found = results(case.pupil)
    assert found[code].status == tilsyn.Status.OK, found[code].findings
    assert [r.code for r in tilsyn.REQUIREMENTS] == list(found)


def test_a_pupil_without_a_case_has_nothing_to_check(vgs: YearSchool) -> None:
    with at():
        found = results(vgs.pupils[1])
    assert {r.status for r in found.values()} == {tilsyn.Status.NOT_APPLICABLE}


def test_only_the_pupils_in_the_chain_are_read_and_every_pupil_is_counted(vgs: YearSchool) -> None:
    """The school page reads the cases of the pupils with a record of the
    chain only (a school of hundreds has a few dozen), since no requirement
    applies to the others, even with consents given; it still counts every
    current pupil."""
    client = Client()
    with at():
        client.force_login(vgs.rektor)
        none_in_the_chain = client.get(reverse("followup:tilsyn_school", args=[vgs.school.pk]))
        case = by_the_book(vgs, vgs.pupils[0])
        only_consents = vgs.pupils[1]
        own = {"given_by": "pupil", "name": only_consents.full_name, "method": "signed"}
        CaseConsent.objects.create(pupil=only_consents, kind=CaseConsent.Kind.SV, date=D(2026, 5, 1), **own)
        only_a_referral = f.pupil_in(vgs.group, first_name="Rita", birth_date=D(2010, 4, 1))
        Referral.objects.create(pupil=only_a_referral, question="Lesing?", report="Rapport")
        school = Pupil.objects.filter(school=vgs.school)
        chain = set(tilsyn.in_the_chain(school).values_list("pk", flat=True))
        outside = tilsyn.check_pupils(school.exclude(pk__in=chain), timezone.localdate())
        response = client.get(reverse("followup:tilsyn_school", args=[vgs.school.pk]))
    assert chain == {case.pupil.pk, only_a_referral.pk}
    assert outside and {r.status for c in outside for r in c.results} == {tilsyn.Status.NOT_APPLICABLE}
    assert f"for {school.count()} elever per" in response.content.decode()
    assert f"for {len(vgs.pupils)} elever per" in none_in_the_chain.content.decode()


def _save(obj: object, **values: object) -> None:
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save()  # type: ignore[attr-defined]


def _delete_iop(c: Case) -> None:
    c.report.delete()
    c.iop.delete()


#: (requirement, what is left out, the words of the finding)
FIRES: list[tuple[str, Callable[[Case], object], str]] = [
    ("referral_consent", lambda c: c.referral_consent.delete(), "no consent from the pupil"),
    ("referral_consent", lambda c: _save(c.referral_consent, date=D(2026, 5, 10)), "no consent from the pupil"),
    ("sv_consent", lambda c: CaseConsent.objects.filter(kind="sv").delete(), "consents on their own"),
    (
        "sv_consent",
        lambda c: CaseConsent.objects.filter(kind="sv").update(given_by="guardian", name="Foresatt"),
        "consents on their own",
    ),
    ("sv_content", lambda c: _save(c.sv, pupil_view=""), "pupil's own view"),
    ("sv_content", lambda c: _save(c.sv, realistic_goals=""), "lacks: realistic learning goals"),
    ("sv_content", lambda c: c.sv.subjects.update(hours=None), "no hours per year in: Norsk"),
    ("sv_content", lambda c: _save(c.sv, staff_competence=""), "assistant teach (Norsk)"),
    ("interim_reply", lambda c: _save(c.referral, sent_at=aware(D(2026, 4, 1))), "waited 49 days"),
    ("interim_reply", lambda c: _save(c.vedtak, made_on=D(2026, 7, 1), notified_on=None), "waited 42 days"),
    ("advance_notice", lambda c: c.notice.delete(), "without an advance notice"),
    (
        "advance_notice",
        lambda c: _save(c.notice, sent_on=D(2026, 6, 12), comment_deadline=D(2026, 6, 26)),
        "without an advance notice",
    ),
    ("advance_notice", lambda c: _save(c.notice, comment_deadline=D(2026, 6, 15)), "before the deadline"),
    ("vedtak_consent", lambda c: CaseConsent.objects.filter(kind="vedtak").delete(), "consents on their own"),
    ("vedtak_content", lambda c: _save(c.vedtak, facts=""), "lacks its reasons"),
    ("vedtak_content", lambda c: _save(c.vedtak, pupil_view=""), "does not say what the pupil thinks"),
    ("vedtak_content", lambda c: _save(c.vedtak, appeal_info=" "), "right to appeal"),
    ("vedtak_content", lambda c: c.vedtak.subjects.update(hours=60), "without giving a reason"),
    ("vedtak_notified", lambda c: _save(c.vedtak, notified_on=None), "when the parties were notified"),
    ("appeals", lambda c: _save(c.appeal, sent_on=None), "send it to Statsforvalteren"),
    ("appeals", lambda c: _save(c.appeal, sent_on=D(2026, 7, 20)), "recorded on 07/20/2026, after the deadline"),
    ("appeals", lambda c: _save(c.appeal, sent_on=None, owner_reviewed_on=None, owner_outcome=""), "school owner's"),
    ("iop_made", _delete_iop, "has no IOP"),
    (
        "iop_made",
        lambda c: _save(c.iop, published_at=aware(D(2026, 10, 1))),
        "first published 45 days after the decision took effect (08/17/2026)",
    ),
    ("iop_made", lambda c: _save(c.iop, published_at=None, status=Iop.Status.DRAFT), "not yet published"),
    ("iop_content", lambda c: _save(c.iop, aids="", participants=""), "aids and learning materials"),
    ("iop_content", lambda c: Goal.objects.filter(iop=c.iop).delete(), "No learning goal yet in: Norsk"),
    ("iop_content", lambda c: c.iop.sections.update(hours_assistant=50), "add up to 90"),
    ("aarsrapport", lambda c: c.report.delete(), "has no årsrapport"),
    ("aarsrapport", lambda c: _save(c.report, sent_to_school_owner_on=None), "sent to the school owner"),
    ("aarsrapport", lambda c: _save(c.report, sent_to_guardians_on=None), "to the pupil and the guardians"),
    (
        "aarsrapport",
        lambda c: _save(c.report, status=Report.Status.DRAFT, sent_to_guardians_on=None, sent_to_school_owner_on=None),
        "still a draft",
    ),
]


@pytest.mark.parametrize(("code", "leave_out", "words"), FIRES, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(FIRES)])
def test_each_requirement_fires_when_its_step_is_left_out(
    vgs: YearSchool, code: str, leave_out: Callable[[Case], object], words: str
) -> None:
    with at():
        case = by_the_book(vgs, vgs.pupils[0])
        leave_out(case)
        found = results(case.pupil)
        client = Client()
        client.force_login(vgs.coordinator)
        opened = {finding.link: client.get(finding.link).status_code for finding in found[code].findings}
    result = found[code]
    assert result.status == tilsyn.Status.MISSING
    text = " ".join(finding.message for finding in result.findings)
    assert words in text, text
    assert opened and all(link and status == 200 for link, status in opened.items()), opened


def test_a_missing_iop_links_to_the_button_that_creates_it(vgs: YearSchool) -> None:
    """ "Fix" on a decision without an IOP leads to the decision's buttons,
    where "Create the IOP" is, not to the top of a long page."""
    with at():
        case = by_the_book(vgs, vgs.pupils[0])
        _delete_iop(case)
        (finding,) = results(case.pupil)["iop_made"].findings
        client = Client()
        client.force_login(vgs.coordinator)
        path, _, fragment = str(finding.link).partition("#")
        page = client.get(path).content.decode()
    assert path == reverse("iop:vedtak_detail", args=[case.vedtak.pk])
    actions = page.split(f'id="{fragment}"', 1)[1].split("</div>", 1)[0]
    assert reverse("iop:iop_create", args=[case.vedtak.pk]) in actions


def test_a_refusal_needs_reasons_but_no_consent_and_no_iop(vgs: YearSchool) -> None:
    with at():
        case = by_the_book(vgs, vgs.pupils[0])
        _delete_iop(case)
        case.vedtak.subjects.all().delete()
        CaseConsent.objects.filter(kind="vedtak").delete()
        _save(case.vedtak, outcome=Enkeltvedtak.Outcome.REFUSED, deviation_reason="PPT anbefaler mer enn nødvendig.")
        quiet = results(case.pupil)
        _save(case.vedtak, main_considerations="")
        fired = results(case.pupil)
    assert quiet["vedtak_consent"].status == tilsyn.Status.NOT_APPLICABLE
    assert quiet["iop_made"].status == tilsyn.Status.NOT_APPLICABLE
    assert quiet["vedtak_content"].status == tilsyn.Status.OK
    assert fired["vedtak_content"].status == tilsyn.Status.MISSING


def test_a_party_answering_before_the_deadline_lets_the_decision_be_made(vgs: YearSchool) -> None:
    guardian = f.UserFactory(full_name="Aud Foresatt")
    with at():
        case = by_the_book(vgs, vgs.pupils[0])
        f.guardian_of(guardian, case.pupil)
        _save(case.notice, comment_deadline=D(2026, 6, 15))
        for party, who in (("guardian", guardian), ("pupil", None)):
            AdvanceNoticeComment.objects.create(
                notice=case.notice, party=party, guardian=who, name="x", received_on=D(2026, 6, 1), text="Enig"
            )
        found = results(case.pupil)
    assert found["advance_notice"].status == tilsyn.Status.OK


def test_all_guardians_must_consent_to_the_decision_when_the_setting_says_so(vgs: YearSchool, settings: object) -> None:
    settings.IOP_VEDTAK_CONSENT = "all"  # type: ignore[attr-defined]
    young = f.pupil_in(vgs.group, first_name="Ung", birth_date=D(2016, 1, 1))
    first, second = f.UserFactory(full_name="Første Forelder"), f.UserFactory(full_name="Andre Forelder")
    with at():
        case = by_the_book(vgs, young)
        for guardian in (first, second):
            f.guardian_of(guardian, young)
        CaseConsent.objects.filter(pupil=young).update(given_by="guardian", guardian=first)
        Consent.objects.filter(pupil=young).update(given_by="guardian")
        one = results(case.pupil)
        CaseConsent.objects.create(
            pupil=young,
            kind="vedtak",
            given_by="guardian",
            guardian=second,
            name="Andre",
            date=D(2026, 5, 2),
            method="signed",
        )
        both = results(case.pupil)
    assert one["vedtak_consent"].status == tilsyn.Status.MISSING
    assert "Andre Forelder" in one["vedtak_consent"].findings[0].message
    assert one["sv_consent"].status == tilsyn.Status.OK  # one guardian is enough for the assessment
    assert both["vedtak_consent"].status == tilsyn.Status.OK


def test_an_interim_reply_answers_the_month(vgs: YearSchool) -> None:
    with at():
        case = by_the_book(vgs, vgs.pupils[0])
        _save(case.referral, sent_at=aware(D(2026, 4, 1)))
        InterimReply.objects.create(
            pupil=case.pupil,
            referral=case.referral,
            reason="Venteliste",
            expected_by=D(2026, 6, 1),
            sent_on=D(2026, 4, 28),
        )
        found = results(case.pupil)
    assert found["interim_reply"].status == tilsyn.Status.OK


# --- the pages --------------------------------------------------------------------------


def test_the_pupil_page_lists_every_requirement_with_its_source_and_is_logged(vgs: YearSchool) -> None:
    client = Client()
    with at():
        client.force_login(vgs.coordinator)
        case = by_the_book(vgs, vgs.pupils[0])
        _save(case.vedtak, notified_on=None)
        response = client.get(reverse("followup:tilsyn_pupil", args=[case.pupil.pk]))
        follow = client.get(reverse("followup:pupil", args=[case.pupil.pk]))
        detail = client.get(reverse("pupil_detail", args=[case.pupil.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-requirement="vedtak_notified" data-status="missing"' in html
    assert 'data-requirement="aarsrapport" data-status="ok"' in html
    assert "forvaltningsloven § 27" in html
    assert reverse("iop:vedtak_detail", args=[case.vedtak.pk]) in html
    assert reverse("followup:tilsyn_pupil", args=[case.pupil.pk]) in follow.content.decode()
    assert reverse("followup:tilsyn_pupil", args=[case.pupil.pk]) in detail.content.decode()
    assert AccessLogEntry.objects.filter(pupil=case.pupil, user=vgs.coordinator, kind="pupil").exists()


def test_the_teacher_may_not_open_the_check(vgs: YearSchool) -> None:
    client = Client()
    client.force_login(vgs.teacher)
    detail = client.get(reverse("pupil_detail", args=[vgs.pupils[0].pk]))
    assert detail.status_code == 200
    assert reverse("followup:tilsyn_pupil", args=[vgs.pupils[0].pk]) not in detail.content.decode()
    assert client.get(reverse("followup:tilsyn_pupil", args=[vgs.pupils[0].pk])).status_code == 403
    assert client.get(reverse("followup:tilsyn_school", args=[vgs.school.pk])).status_code == 404


def test_the_school_page_counts_the_pupils_missing_each_requirement(vgs: YearSchool) -> None:
    client = Client()
    with at():
        client.force_login(vgs.rektor)
        ok = by_the_book(vgs, vgs.pupils[0])
        late = by_the_book(vgs, vgs.pupils[1])
        _save(late.vedtak, notified_on=None)
        response = client.get(reverse("followup:tilsyn_school", args=[vgs.school.pk]))
        aarshjul = client.get(reverse("followup:aarshjul"))
    assert reverse("followup:tilsyn_school", args=[vgs.school.pk]) in aarshjul.content.decode()
    html = response.content.decode()
    row = html.split('data-requirement="vedtak_notified"')[1].split("</tr>")[0]
    assert 'data-missing="1"' in row
    assert reverse("followup:tilsyn_pupil", args=[late.pupil.pk]) in row
    assert reverse("followup:tilsyn_pupil", args=[ok.pupil.pk]) not in html
    assert 'data-missing="0"' in html.split('data-requirement="aarsrapport"')[1].split("</tr>")[0]


def test_the_menu_leads_the_coordinator_to_the_schools_check(vgs: YearSchool) -> None:
    """The menu (under "Mer") has the tilsyn check for the school's coordinator
    and rektor, not for its teachers; its address leads to the school's check."""
    coordinator = Client()
    coordinator.force_login(vgs.coordinator)
    home = coordinator.get(reverse("home")).content.decode()
    assert f'href="{reverse("followup:tilsyn")}"' in home
    response = coordinator.get(reverse("followup:tilsyn"))
    assert response.status_code == 302
    assert response["Location"] == reverse("followup:tilsyn_school", args=[vgs.school.pk])
    teacher = Client()
    teacher.force_login(vgs.teacher)
    assert reverse("followup:tilsyn") not in teacher.get(reverse("home")).content.decode()
    assert teacher.get(reverse("followup:tilsyn")).status_code == 404


def test_the_pages_run_a_fixed_number_of_queries(vgs: YearSchool) -> None:
    client = Client()
    school_url = reverse("followup:tilsyn_school", args=[vgs.school.pk])
    with at():
        client.force_login(vgs.coordinator)
        cases = [by_the_book(vgs, p) for p in vgs.pupils]
        for case in cases:
            _save(case.vedtak, notified_on=None)
        pupil_url = reverse("followup:tilsyn_pupil", args=[cases[0].pupil.pk])
        small = [page_queries(client, school_url, warm=True), page_queries(client, pupil_url)]
        for i in range(27):
            extra = by_the_book(vgs, f.pupil_in(vgs.group, first_name=f"Ekstra{i}", birth_date=D(2010, 4, 1)))
            _save(extra.vedtak, notified_on=None)
            AdvanceNoticeComment.objects.create(notice=extra.notice, name="x", received_on=D(2026, 6, 1), text="Ok")
        assert Pupil.objects.filter(school=vgs.school).count() == 30
        large = [page_queries(client, school_url), page_queries(client, pupil_url)]
    assert_same_queries(small, large, at_most=28)  # two for the appeal review deadline


# --- the faults a new user found on the demo --------------------------------------------


def test_an_appeal_is_in_progress_while_the_school_owners_deadline_runs(vgs: YearSchool) -> None:
    """Received today: the årshjul's three weeks run, so nothing is missing;
    the day after the deadline the appeal is missing; a school may change the days."""
    with at():
        case = by_the_book(vgs, vgs.pupils[0])
        _save(case.appeal, received_on=D(2027, 6, 25), owner_reviewed_on=None, owner_outcome="", sent_on=None)
        today = results(case.pupil)["appeals"]
    with at("2027-07-16"):
        last_day = results(case.pupil)["appeals"]
    with at("2027-07-17"):
        overdue = results(case.pupil)["appeals"]
    assert today.status == tilsyn.Status.OK, today.findings
    assert last_day.status == tilsyn.Status.OK, last_day.findings
    assert overdue.status == tilsyn.Status.MISSING
    assert "school owner's review" in overdue.findings[0].message
    assert tilsyn.appeal_review_days([vgs.school]) == {vgs.school.pk: 21}


def test_an_aarsrapport_sent_for_a_school_year_still_running_is_checked(vgs: YearSchool) -> None:
    """The årsrapport of the current IOP, finalised and sent: the requirement applies and is met."""
    client = Client()
    with at("2027-06-10"):  # the IOP's period and school year end on 18.06.2027
        case = by_the_book(vgs, vgs.pupils[0])
        _save(case.report, finalised_at=aware(D(2027, 6, 8)), sent_to_guardians_on=D(2027, 6, 9))
        _save(case.report, sent_to_school_owner_on=D(2027, 6, 9))
        found = results(case.pupil)["aarsrapport"]
        client.force_login(vgs.rektor)
        html = client.get(reverse("followup:tilsyn_school", args=[vgs.school.pk])).content.decode()
        _save(case.report, sent_to_school_owner_on=None)
        unsent = results(case.pupil)["aarsrapport"]
        case.report.delete()
        without = results(case.pupil)["aarsrapport"]
    assert found.status == tilsyn.Status.OK
    row = html.split('data-requirement="aarsrapport"')[1].split("</tr>")[0]
    assert "<td>1<br><small>Elever med IOP for et skoleår som er slutt, eller med årsrapport.</small></td>" in row
    assert unsent.status == tilsyn.Status.MISSING
    assert without.status == tilsyn.Status.NOT_APPLICABLE  # no report yet, the year is still running


def test_the_iop_is_timed_from_the_decision_to_its_first_publication(vgs: YearSchool) -> None:
    """Made on 10.06, valid from 17.08: the IOP first published 25.08 is in time though published again later;
    the finding names the school's own limit and links to the IOP."""
    with at():
        case = by_the_book(vgs, vgs.pupils[0])
        _save(case.iop, created_at=aware(D(2026, 8, 20)), published_at=aware(D(2026, 11, 30)))
        IopVersion.objects.create(iop=case.iop, number=1, published_at=aware(D(2026, 8, 25)), snapshot={})
        IopVersion.objects.create(iop=case.iop, number=2, published_at=aware(D(2026, 11, 30)), snapshot={})
        in_time = results(case.pupil)["iop_made"]
        IopVersion.objects.filter(iop=case.iop).update(published_at=aware(D(2026, 10, 1)))
        late = results(case.pupil)["iop_made"]
        _save(case.vedtak, made_on=D(2026, 8, 20), valid_from=D(2026, 8, 17), notified_on=D(2026, 8, 21))
        made_later = results(case.pupil)["iop_made"]
    assert in_time.status == tilsyn.Status.OK, in_time.findings
    assert late.status == tilsyn.Status.MISSING
    (finding,) = late.findings
    assert finding.message == (
        "The IOP was first published 45 days after the decision took effect (08/17/2026). The school's own limit "
        "is 30 days; opplæringslova § 11-10 says as soon as possible."
    )
    assert finding.link == reverse("iop:iop_detail", args=[case.iop.pk])
    assert "42 days after the decision was made (08/20/2026)" in made_later.findings[0].message


def test_a_goal_with_only_the_default_text_is_no_goal_in_the_subject(vgs: YearSchool) -> None:
    with at():
        case = by_the_book(vgs, vgs.pupils[0])
        Goal.objects.filter(iop=case.iop).update(text="Nytt læringsmål")
        placeholder = results(case.pupil)["iop_content"]
        Goal.objects.filter(iop=case.iop).update(text="  ")
        empty = results(case.pupil)["iop_content"]
    for result in (placeholder, empty):
        assert result.status == tilsyn.Status.MISSING
        assert "No learning goal yet in: Norsk" in result.findings[0].message


def test_the_school_page_says_whom_the_iop_rows_count(vgs: YearSchool) -> None:
    """A pupil with a decision and no IOP counts for the IOP's timing, not for its content: the rows say so."""
    client = Client()
    with at():
        client.force_login(vgs.rektor)
        by_the_book(vgs, vgs.pupils[0])
        _delete_iop(by_the_book(vgs, vgs.pupils[1]))
        html = client.get(reverse("followup:tilsyn_school", args=[vgs.school.pk])).content.decode()
    made = html.split('data-requirement="iop_made"')[1].split("</tr>")[0]
    content = html.split('data-requirement="iop_content"')[1].split("</tr>")[0]
    counted = (
        "Elever med vedtak om individuelt tilrettelagt opplæring, med eller uten IOP. "
        "En IOP regnes som utarbeidet når den publiseres første gang, ikke som utkast."
    )
    assert f"<td>2<br><small>{counted}</small></td>" in made
    assert "<td>1<br><small>Elever med IOP.</small></td>" in content
