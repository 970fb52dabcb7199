"""The Norwegian chain (PPT referral and consent, sakkyndig vurdering,
enkeltvedtak with forhåndsvarsel and appeals, the IOP and its årsrapport,
interim replies, the tilsyn check, the key figures of opplæringslova) is
Norwegian law: a Swedish school's pupils never meet it. Its pages answer 404
for them, as a missing record does, the pupil pages offer no way to it, and a
user whose schools are all Swedish has no menu entry for it. A Norwegian
school's pupils keep every step; the IUP stays for both countries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followup.models import Referral
from iop.reports.models import Report
from students import access
from students.models import Pupil, StaffMembership, User
from tests import factories as f
from tests.conftest import LOGIN_BACKEND, World
from tests.iop import factories as iopf


def _client(user: User | None) -> Client:
    client = Client()
    assert user is not None
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def _records(pupil: Any, author: User | None) -> dict[str, Any]:
    made = iopf.chain(pupil, goals=1)
    assert made.iop is not None
    referral = Referral.objects.create(
        pupil=pupil,
        question="Lesing?",
        report="Rapport",
        status=Referral.Status.SENT,
        created_by=author,
        sent_at=timezone.now(),
    )
    report = Report.objects.create(
        pupil=pupil,
        iop=made.iop,
        kind=Report.Kind.AARSRAPPORT,
        period_start=made.iop.period_start,
        period_end=made.iop.period_end,
    )
    plan = iopf.iup(pupil, status="draft")
    return {"chain": made, "referral": referral, "report": report, "iup": plan}


def _chain_urls(pupil: Any, school_id: int, rec: dict[str, Any]) -> dict[str, str]:
    made = rec["chain"]
    return {
        "new vurdering": reverse("iop:vurdering_create", args=[pupil.pk]),
        "vurdering": reverse("iop:vurdering_detail", args=[made.sv.pk]),
        "vurdering history": reverse("iop:history", args=["vurdering", made.sv.pk]),
        "vedtak": reverse("iop:vedtak_detail", args=[made.vedtak.pk]),
        "vedtak pdf": reverse("iop:vedtak_pdf", args=[made.vedtak.pk]),
        "forhåndsvarsel": reverse("iop:advance_notice_send", args=[made.vedtak.pk]),
        "appeal": reverse("iop:appeal_create", args=[made.vedtak.pk]),
        "iop": reverse("iop:iop_detail", args=[made.iop.pk]),
        "iop goal": reverse("iop:goal_detail", args=[made.goals[0].pk]),
        "iop compare": reverse("iop:iop_compare", args=[made.iop.pk]),
        "consent": reverse("iop:consents", args=[pupil.pk]),
        "referral": reverse("followup:referral_create", args=[pupil.pk]),
        "referral detail": reverse("followup:referral_detail", args=[rec["referral"].pk]),
        "referral pdf": reverse("followup:referral_pdf", args=[rec["referral"].pk]),
        "interim reply": reverse("followup:interim_reply", args=["referral", rec["referral"].pk]),
        "tilsyn": reverse("followup:tilsyn_pupil", args=[pupil.pk]),
        "tilsyn of the school": reverse("followup:tilsyn_school", args=[school_id]),
        "årsrapport": reverse("reports:report_detail", args=[rec["report"].pk]),
        "iop as pdf": reverse("reports:iop_pdf", args=[made.iop.pk]),
    }


def _overview_urls() -> dict[str, str]:
    return {
        "adapted teaching": reverse("iop:overview"),
        "pupils in the chain": reverse("followup:pipeline"),
        "key figures of adapted teaching": reverse("kpi:adapted_teaching"),
        "report batches": reverse("reports:batch_list"),
    }


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def swedish(world: World) -> dict[str, Any]:
    """School 1 (pupil A, the coordinator, the teacher, guardian A) is Swedish."""
    rec = _records(world.pupil_a, world.user("teacher"))
    f.make_swedish(world.school1)
    return rec


def test_a_swedish_pupils_chain_answers_404_to_every_staff_member(world: World, swedish: dict[str, Any]) -> None:
    urls = _chain_urls(world.pupil_a, world.school1.pk, swedish)
    for persona in ("coordinator", "teacher", "ppt", "guardian_a"):
        client = world.client(persona)
        for name, url in urls.items():
            assert client.get(url).status_code == 404, (persona, name)
    client = world.client("coordinator")
    for name, url in _overview_urls().items():
        assert client.get(url).status_code == 404, name
    made = swedish["chain"]
    assert client.post(reverse("iop:vedtak_make", args=[made.vedtak.pk])).status_code == 404
    assert client.post(reverse("reports:report_create", args=[made.iop.pk])).status_code == 404


def test_the_iup_stays_for_a_swedish_pupil(world: World, swedish: dict[str, Any]) -> None:
    client = world.client("teacher")
    assert client.get(reverse("iop:iup_detail", args=[swedish["iup"].pk])).status_code == 200
    assert client.get(reverse("iop:iup_list")).status_code == 200
    assert client.get(reverse("followup:pupil", args=[world.pupil_a.pk])).status_code == 200


def test_a_swedish_pupils_pages_offer_no_norwegian_chain(world: World, swedish: dict[str, Any]) -> None:
    chain_urls = _chain_urls(world.pupil_a, world.school1.pk, swedish)
    for persona in ("coordinator", "teacher", "guardian_a"):
        client = world.client(persona)
        pages = (reverse("pupil_detail", args=[world.pupil_a.pk]), reverse("followup:pupil", args=[world.pupil_a.pk]))
        for page in pages:
            response = client.get(page)
            if persona == "guardian_a" and "oppfolging" in page:
                assert response.status_code == 403
                continue
            html = response.content.decode()
            assert response.status_code == 200, (persona, page)
            for name, url in chain_urls.items():
                assert f'href="{url}"' not in html, (persona, page, name)
            for word in ("PPT", "Sakkyndig", "sakkyndig", "enkeltvedtak", "Tilsyn", "Statsforvalteren", "Årsrapport"):
                assert word not in _text(html), (persona, page, word)
    response = world.client("coordinator").get(reverse("pupil_detail", args=[world.pupil_a.pk]))
    coordinator = _text(response.content.decode())
    assert "Vem har läst planerna" in coordinator  # the access log stays: it is no part of the chain


def test_a_user_whose_schools_are_all_swedish_has_no_chain_in_the_menu(world: World, swedish: dict[str, Any]) -> None:
    home = world.client("coordinator").get(reverse("home"))
    html = home.content.decode()
    for name, url in _overview_urls().items():
        assert f'href="{url}"' not in html, name
    assert f'href="{reverse("followup:aarshjul")}"' in html  # the årshjul is for both countries
    assert f'href="{reverse("iop:iup_list")}"' in html
    aarshjul = world.client("coordinator").get(reverse("followup:aarshjul")).content.decode()
    assert reverse("followup:tilsyn_school", args=[world.school1.pk]) not in aarshjul
    figures = world.client("coordinator").get(reverse("kpi:key_figures"))
    assert figures.status_code == 200
    assert reverse("kpi:adapted_teaching") not in figures.content.decode()
    assert "data-chain-times" not in figures.content.decode()


def test_a_coordinator_of_both_countries_keeps_the_chain_of_the_norwegian_school(
    world: World, swedish: dict[str, Any]
) -> None:
    coordinator = world.user("coordinator")
    assert coordinator is not None
    f.member(coordinator, world.school2, StaffMembership.Role.KOORDINATOR)
    access.forget(coordinator)
    norwegian = _records(world.pupil_c, world.user("coordinator_other"))
    client = _client(coordinator)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("iop:overview")}"' in html
    for name, url in _chain_urls(world.pupil_c, world.school2.pk, norwegian).items():
        if name in ("new vurdering", "forhåndsvarsel", "referral pdf"):
            continue  # PPT's page; a made vedtak's notice; a worker's PDF
        assert client.get(url).status_code in (200, 302), name  # a PDF may be made on a worker
    for name, url in _chain_urls(world.pupil_a, world.school1.pk, swedish).items():
        assert client.get(url).status_code == 404, name
    overview = _text(client.get(reverse("iop:overview")).content.decode())
    assert world.pupil_c.last_name in overview and world.pupil_a.last_name not in overview
    pipeline = _text(client.get(reverse("followup:pipeline")).content.decode())
    assert world.pupil_c.last_name in pipeline and world.pupil_a.last_name not in pipeline


def test_a_norwegian_pupil_keeps_the_whole_chain(world: World) -> None:
    rec = _records(world.pupil_a, world.user("teacher"))
    client = world.client("coordinator")
    page = client.get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    made = rec["chain"]
    for url in (
        reverse("iop:vurdering_detail", args=[made.sv.pk]),
        reverse("iop:iop_detail", args=[made.iop.pk]),
        reverse("iop:consents", args=[world.pupil_a.pk]),
        reverse("followup:tilsyn_pupil", args=[world.pupil_a.pk]),
        reverse("reports:report_detail", args=[rec["report"].pk]),
    ):
        assert f'href="{url}"' in page, url
    for name, url in _chain_urls(world.pupil_a, world.school1.pk, rec).items():
        if name in ("new vurdering", "forhåndsvarsel", "referral pdf"):
            continue
        assert client.get(url).status_code in (200, 302), name  # a PDF may be made on a worker
    for name, url in _overview_urls().items():
        assert client.get(url).status_code == 200, name
    assert access.profile(world.user("coordinator")).works_with_chain  # type: ignore[arg-type]


def test_offers_chain_reads_the_country_without_a_query_for_a_resolved_pupil(
    world: World, django_assert_num_queries: Any
) -> None:
    f.make_swedish(world.school1)
    user = world.user("coordinator")
    assert user is not None
    pupil = access.get_pupil(user, world.pupil_a.pk)
    with django_assert_num_queries(0):
        assert not access.offers_chain(pupil)
    fresh = Pupil.objects.get(pk=world.pupil_c.pk)
    with django_assert_num_queries(1):
        assert access.offers_chain(fresh)  # read without the access layer: one query


def test_a_swedish_guardian_finds_who_has_read_the_plans(world: World, swedish: dict[str, Any]) -> None:
    """The child's page links to the access log ("Vem har läst planerna"), in Swedish, and the log opens."""
    guardian = world.client("guardian_a")
    log = reverse("iop:access_log", args=[world.pupil_a.pk])
    page = guardian.get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    assert f'href="{log}"' in page and "Vem har läst planerna" in _text(page)
    response = guardian.get(log)
    assert response.status_code == 200 and 'lang="sv"' in response.content.decode()
    # A Swedish pupil's plans are the IUP and åtgärdsprogram: the log names no IOP.
    intro = _text(response.content.decode())
    assert "planerna (IUP och åtgärdsprogram)" in intro and "IOP" not in intro
    other = world.client("guardian_b").get(reverse("pupil_detail", args=[world.pupil_b.pk])).content.decode()
    assert f'href="{reverse("iop:access_log", args=[world.pupil_b.pk])}"' in other  # a Norwegian child's too


def test_a_user_whose_schools_are_all_swedish_meets_no_iop_in_the_product_name(
    world: World, swedish: dict[str, Any]
) -> None:
    for persona in ("coordinator", "teacher", "guardian_a"):
        html = world.client(persona).get(reverse("home")).content.decode()
        title = re.search(r"<title>(.*?)</title>", html, flags=re.S)
        assert title is not None and "Elevstöd och IUP" in title.group(1), persona
        assert "Elevstöd och IUP</a>" in html, persona
        assert "IOP" not in _text(html).replace("IUP", ""), persona
    norwegian = world.client("coordinator_other").get(reverse("home")).content.decode()
    assert "IOP og IUP" in norwegian and "Elevst" not in norwegian
    # The operator (no school, no child) and the login page carry the product's own name, not the host's.
    operator = world.client("operator").get(reverse("home")).content.decode()
    assert 'class="site-brand" href="/">IOP og IUP</a>' in operator
    login = Client().get(reverse("login")).content.decode()
    assert 'class="site-brand" href="/">IOP og IUP</a>' in login and "testserver" not in login


def test_a_swedish_school_meets_no_norwegian_talk_target(world: World, swedish: dict[str, Any]) -> None:
    """Sweden's law asks for an utvecklingssamtal each term, not at least four talks a year."""
    client = world.client("coordinator")
    figures = _text(client.get(reverse("kpi:key_figures")).content.decode())
    assert "Nyckeltal" in figures or "nyckeltal" in figures.lower()
    for words in ("mål: minst", "Når samtalsmålet", "årskurs 5–10"):
        assert words not in figures, words
    assert "ett varje termin" in figures
    dashboard = _text(client.get(reverse("followup:dashboard")).content.decode())
    assert "Samtal enligt målet" not in dashboard
    pupil = _text(client.get(reverse("followup:pupil", args=[world.pupil_a.pk])).content.decode())
    assert "minst 4" not in pupil


def test_a_norwegian_school_keeps_its_talk_target(world: World) -> None:
    client = world.client("coordinator")
    figures = _text(client.get(reverse("kpi:key_figures")).content.decode())
    assert "mål: minst 4" in figures and "Når samtalemålet" in figures
    dashboard = _text(client.get(reverse("followup:dashboard")).content.decode())
    assert "Samtaler nådd målet" in dashboard
