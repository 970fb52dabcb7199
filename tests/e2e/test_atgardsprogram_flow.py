"""The Swedish support chain through the real UI, in Swedish: the mentor
documents an extra anpassning and follows it up, starts and concludes the
utredning and drafts the åtgärdsprogram; only the rektor decides it; a
second pupil gets a beslut att inte upprätta; the mentor evaluates the
programme; the vårdnadshavare reads the decided programme (never the
utredning) and sees who has read it. axe-core checks the main pages."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from iop.atgardsprogram.models import Atgardsprogram, AtgardsprogramUtvardering
from tests.atgardsprogram.factories import sweden
from tests.e2e.conftest import assert_accessible, follow, login


def as_user(page: Any, live_server: Any, email: str) -> None:
    page.context.clear_cookies()
    login(page, live_server.url, email)


def day(offset: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


def conclude(page: Any, *, needs: bool) -> None:
    form = page.locator("form").filter(has=page.get_by_role("button", name="Avsluta", exact=True))
    form.get_by_label("Ja" if needs else "Nej", exact=True).check()
    form.get_by_role("button", name="Avsluta", exact=True).click()
    page.get_by_text("Utredningen är avslutad.").wait_for()


def start_utredning(page: Any, live_server: Any, pupil: Any, reason: str) -> None:
    page.goto(f"{live_server.url}/stod/elev/{pupil.pk}/")
    page.get_by_role("link", name="Inled en utredning").click()
    page.get_by_label("Anledning", exact=True).fill(reason)
    page.get_by_label("Pedagogisk bedömning", exact=True).fill("Bedömning av lärare och specialpedagog.")
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("Utredningen är inledd.").wait_for()


@pytest.mark.django_db(transaction=True)
def test_the_swedish_support_chain_from_extra_anpassning_to_evaluation(live_server: Any, page: Any) -> None:
    s = sweden()
    pupil = s.pupil

    # The mentor: extra anpassning, followed up, not enough.
    as_user(page, live_server, "mentor@test.example")
    page.goto(f"{live_server.url}/elever/{pupil.pk}/")
    page.locator(".sv-support").get_by_role("link", name="Öppna sidan om stöd").click()
    page.get_by_role("link", name="Dokumentera en extra anpassning").click()
    page.get_by_label("Ämne").fill("Matematik")
    page.get_by_label("Anpassningen").fill("Uppgifterna delas upp i kortare delar.")
    page.get_by_label("Ansvarig").fill("Maja Mentor")
    page.get_by_label("Från").fill(day(-30))
    page.get_by_label("Datum för uppföljning").fill(day(-1))
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("Den extra anpassningen är dokumenterad.").wait_for()
    assert_accessible(page)  # the support page
    page.get_by_role("link", name=re.compile("^Följ upp: Uppgifterna delas upp")).click()
    page.get_by_label("Effekt").fill("Hjälper lite, men räcker inte.")
    page.get_by_label("Räcker inte: inled en utredning av behovet av särskilt stöd").check()
    page.get_by_label("Nästa uppföljning").fill(day(14))
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("Uppföljningen är sparad.").wait_for()
    page.get_by_text("De extra anpassningarna räcker inte: inled utredningen.").wait_for()
    # The investigation's form, with the adaptation tried already ticked.
    expect(page.get_by_label("Matematik: Uppgifterna delas upp i kortare delar.")).to_be_checked()

    # The utredning, concluded: särskilt stöd is needed.
    start_utredning(page, live_server, pupil, "De extra anpassningarna räcker inte.")
    assert_accessible(page)  # the utredning in edit mode
    conclude(page, needs=True)

    # The draft åtgärdsprogram: the mentor may not decide it.
    page.get_by_role("link", name="Skriv ett utkast till åtgärdsprogram").click()
    page.get_by_label("Elevens behov").fill("Alva behöver stöd i taluppfattning.")
    page.get_by_label("Ämnen").fill("Matematik")
    page.get_by_label("Datum för uppföljning").fill(day(30))
    page.get_by_label("Utvärderingsdatum").fill(day(90))
    page.get_by_label("Eleven har fått möjlighet att delta").select_option(label="Ja")
    page.get_by_label("Elevens synpunkter").fill("Alva vill ha stödet i klassrummet.")
    page.get_by_label("Vårdnadshavarna har fått möjlighet att delta").select_option(label="Ja")
    first = page.locator("[data-measure]").first
    first.get_by_label("Åtgärd").fill("Speciallärare 30 minuter tre gånger i veckan.")
    first.get_by_label("Ansvarig").fill("Speciallärare")
    first.get_by_label("Ämne").fill("Matematik")
    assert_accessible(page)  # the draft form
    page.get_by_role("button", name="Spara utkastet").click()
    page.get_by_text("Beslutet är sparat som utkast.").wait_for()
    expect(page.get_by_text("Endast rektorn fattar beslutet.")).to_be_visible()
    assert not page.get_by_role("button", name="Fatta beslut").count()
    programme_url = page.url

    # The rektor decides.
    as_user(page, live_server, "rektor@test.example")
    page.goto(programme_url)
    page.get_by_role("button", name="Fatta beslut").click()
    page.get_by_text("Beslutet är fattat.").wait_for()
    assert page.locator("[data-status]").inner_text() == "Beslutat"
    page.get_by_role("button", name="Registrera delgivningen").click()
    page.get_by_text("Delgivningen är registrerad.").wait_for()
    assert not page.get_by_role("button", name="Registrera delgivningen").count()  # recorded once, shown as text
    assert_accessible(page)  # the decision page
    assert not page.get_by_role("link", name="Redigera utkastet").count()  # frozen

    # A beslut att inte upprätta for the other pupil.
    as_user(page, live_server, "mentor@test.example")
    start_utredning(page, live_server, s.other_pupil, "Svårigheter med läsning.")
    conclude(page, needs=False)
    page.get_by_role("link", name="Skriv ett utkast till beslut att inte upprätta ett åtgärdsprogram").click()
    page.get_by_label("Motivering").fill("Utredningen visar att extra anpassningar räcker.")
    page.get_by_label("Eleven har fått möjlighet att delta").select_option(label="Ja")
    page.get_by_label("Vårdnadshavarna har fått möjlighet att delta").select_option(label="Nej")
    page.get_by_role("button", name="Spara utkastet").click()
    page.get_by_text("Beslutet är sparat som utkast.").wait_for()
    refusal_url = page.url
    as_user(page, live_server, "rektor@test.example")
    page.goto(refusal_url)
    page.get_by_role("button", name="Fatta beslut").click()
    page.get_by_text("Beslutet är fattat.").wait_for()
    assert "Skolväsendets överklagandenämnd" in page.inner_text("[data-appeal-info]")

    # The follow-up and evaluation: continue.
    as_user(page, live_server, "mentor@test.example")
    page.goto(programme_url)
    page.get_by_role("link", name="Utvärdera åtgärdsprogrammet").click()
    page.get_by_label("Utvärdering", exact=True).fill("Alva har nått delmålen; stödet fortsätter.")
    page.get_by_label("Fortsätt med åtgärdsprogrammet").check()
    page.get_by_role("button", name="Spara").click()
    # Continuing asks when it is evaluated next: the text typed is kept.
    page.get_by_text("Programmet fortsätter: välj när det ska utvärderas nästa gång").wait_for()
    expect(page.get_by_label("Utvärdering", exact=True)).to_have_value("Alva har nått delmålen; stödet fortsätter.")
    page.get_by_label("Nästa utvärdering").fill(day(150))
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("Utvärderingen är sparad.").wait_for()
    expect(page.locator("#evaluations")).to_contain_text("Alva har nått delmålen")

    # The vårdnadshavare reads the programme and sees who has read it.
    as_user(page, live_server, "guardian@test.example")
    page.goto(f"{live_server.url}/elever/{pupil.pk}/")
    follow(page, page.locator(".sv-support").get_by_role("link", name="Åtgärdsprogram"))
    main = page.inner_text("main")
    assert "Speciallärare 30 minuter tre gånger i veckan." in main and "inom tre veckor" in main
    assert not page.locator("main form").count()
    assert_accessible(page)  # the guardian's read view
    page.goto(f"{live_server.url}/stod/elev/{pupil.pk}/")
    assert "Uppgifterna delas upp" not in page.inner_text("main")  # the school's working file
    follow(page, page.get_by_role("link", name="Vem har läst planerna"))
    log = page.inner_text("main")
    assert "Beslut om åtgärdsprogram" in log and "Rut Rektor" in log and "Maja Mentor" in log

    programme = Atgardsprogram.objects.get(pupil=pupil)
    assert programme.status == Atgardsprogram.Status.DECIDED and programme.decided_by == s.rektor
    assert programme.utvarderingar.get().outcome == AtgardsprogramUtvardering.Outcome.CONTINUE
    assert programme.evaluate_on == timezone.localdate() + datetime.timedelta(days=150)  # the next evaluation
    assert Atgardsprogram.objects.get(pupil=s.other_pupil).kind == Atgardsprogram.Kind.INTE_UPPRATTA


@pytest.mark.django_db(transaction=True)
def test_text_typed_in_the_investigation_is_not_lost_by_concluding_it(live_server: Any, page: Any) -> None:
    """The mentor types in the investigation and, without saving, concludes
    it: nothing is sent, the page says why and the text stays; once saved,
    concluding goes through and the text is in the concluded investigation."""
    s = sweden()
    as_user(page, live_server, "mentor@test.example")
    start_utredning(page, live_server, s.pupil, "De extra anpassningarna räcker inte.")
    page.get_by_label("Social bedömning (elevhälsan)").fill("Alva trivs i klassen men är ofta trött.")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Avsluta", exact=True))
    form.get_by_label("Ja", exact=True).check()
    form.get_by_role("button", name="Avsluta", exact=True).click()
    form.get_by_text("Ingenting skickades: en text du skrev på den här sidan är inte sparad ännu.").wait_for()
    expect(page.get_by_label("Social bedömning (elevhälsan)")).to_have_value("Alva trivs i klassen men är ofta trött.")
    utredning = s.pupil.utredningar.get()
    assert utredning.concluded_on is None and utredning.social == ""

    follow(page, page.get_by_role("button", name="Spara", exact=True))
    conclude(page, needs=True)
    utredning.refresh_from_db()
    assert utredning.concluded_on is not None
    assert utredning.social == "Alva trivs i klassen men är ofta trött."
