"""The built-in duties' titles: a reminder says "Frist" once, and a reader of
nynorsk (Swedish, English) reads the built-in duties in their language."""

from __future__ import annotations

import importlib

import time_machine
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation

from followup import deadlines, duty_titles, services
from followup.aarshjul_data import BUILTIN_SETS, copy_to_skoleeier, load_builtin
from followup.forms import DutyForm
from followup.models import Aarshjul, Deadline, Duty
from students.models import User
from tests import factories as f
from tests.followup.conftest import YearSchool

RETITLE = importlib.import_module("followup.migrations.0022_privatist_title_says_frist_once")
OLD = "Oppmelding til privatisteksamen (frist 15. september)"
NEW = "Oppmelding til privatisteksamen innen 15. september"


def test_no_built_in_title_says_frist_a_reminder_says_it_before_the_title() -> None:
    titles = [spec["title"] for _name, _description, duties in BUILTIN_SETS.values() for spec in duties]
    assert NEW in titles
    assert not [title for title in titles if "frist" in title.lower()]


def test_the_data_migration_retitles_the_built_in_duty_and_its_open_deadlines(vgs: YearSchool) -> None:
    load_builtin(Aarshjul, Duty)  # the built-in sets are data: an earlier test's flush may have removed them
    builtin = Duty.objects.filter(aarshjul__builtin_key="trondelag-vgs", key="privatist-host")
    assert builtin.update(title=OLD) == 1  # a database from before the fix
    own = copy_to_skoleeier(Aarshjul, Duty, builtin_key="trondelag-vgs", skoleeier=f.SkoleeierFactory())
    own.duties.filter(key="privatist-host").update(title=OLD)  # the school owner's copy is theirs
    with time_machine.travel("2026-08-01T09:00:00+01:00", tick=False):
        deadlines.deadlines_generate(school_year=vgs.year)
    deadline = Deadline.objects.get(duty__key="privatist-host", school_year=vgs.year)
    assert deadline.title == OLD
    RETITLE.forwards(apps, None)
    assert builtin.get().title == NEW
    deadline.refresh_from_db()
    assert deadline.title == NEW
    assert own.duties.get(key="privatist-host").title == OLD
    RETITLE.backwards(apps, None)
    assert builtin.get().title == OLD


def test_every_built_in_norwegian_title_has_its_translation_and_bokmal_shows_it_as_stored() -> None:
    norwegian = [duties for key, (_name, _text, duties) in BUILTIN_SETS.items() if key != "grundskola-se"]
    titles = {spec["title"] for duties in norwegian for spec in duties}
    assert titles == set(duty_titles.TITLES)
    with translation.override("nb"):
        assert [t for t in titles if duty_titles.shown(t) != t] == []
    with translation.override("nn"):
        assert duty_titles.shown("Utviklingssamtale med elev og foresatte (høst)") == (
            "Utviklingssamtale med elev og føresette (haust)"
        )
        assert duty_titles.shown("Vår egen oppgave") == "Vår egen oppgave"


def test_a_nynorsk_reader_sees_the_built_in_duties_in_nynorsk_and_the_schools_own_words_as_written(
    client: Client, vgs: YearSchool
) -> None:
    with time_machine.travel("2026-11-20T09:00:00+01:00", tick=False):
        services.duty_save(actor=vgs.coordinator, school=vgs.school, key="mv2", title="MV2 på vår måte")
        deadlines.deadlines_generate(school_year=vgs.year)
        User.objects.filter(pk=vgs.coordinator.pk).update(language="nn")
        client.force_login(vgs.coordinator)
        wheel = client.get(reverse("followup:aarshjul")).content.decode()
        User.objects.filter(pk=vgs.teacher.pk).update(language="nn")
        client.force_login(vgs.teacher)
        dashboard = client.get(reverse("followup:dashboard")).content.decode()
    assert 'lang="nn"' in wheel
    assert "Identifiseringspunkt MV1 for alle elevar i alle fag" in wheel  # in the list and on the wheel
    assert "Identifiseringspunkt MV1 for alle elever i alle fag" not in wheel
    assert "MV2 på vår måte" in wheel  # the school's own title, as written
    assert "Oppstartsamtale med kontaktlærar" in dashboard and "Oppstartsamtale med kontaktlærer" not in dashboard
    # The stored data stay bokmål: a bokmål reader sees them as they are.
    User.objects.filter(pk=vgs.teacher.pk).update(language="nb")
    with time_machine.travel("2026-11-20T09:00:00+01:00", tick=False):
        assert "Oppstartsamtale med kontaktlærer" in client.get(reverse("followup:dashboard")).content.decode()


def _as_shown(form: DutyForm) -> dict[str, str]:
    """The POST data of FORM as the page shows it (what "Lagre" sends unchanged)."""
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.name] = "on"
        else:
            data[bound.name] = "" if value is None else str(value)
    return data


def test_the_title_field_shows_a_built_in_title_translated_and_keeps_the_stored_one_when_unchanged(
    vgs: YearSchool,
) -> None:
    builtin = next(e.duty for e in deadlines.effective_duties(vgs.school) if e.duty.key == "privatist-host")
    with translation.override("nn"):
        form = DutyForm(instance=builtin, inherited=builtin)
        assert form["title"].value() == "Oppmelding til privatisteksamen innan 15. september"
        bound = DutyForm(_as_shown(form), instance=builtin, inherited=builtin)
        assert bound.is_valid(), bound.errors
        assert bound.cleaned_data["title"] == NEW  # the stored bokmål title, not the nynorsk text
        retitled = DutyForm({**_as_shown(form), "title": "Privatisteksamen"}, instance=builtin, inherited=builtin)
        assert retitled.is_valid() and retitled.cleaned_data["title"] == "Privatisteksamen"


def test_saving_a_built_in_duty_unchanged_in_nynorsk_makes_no_override(client: Client, vgs: YearSchool) -> None:
    User.objects.filter(pk=vgs.coordinator.pk).update(language="nn")
    client.force_login(vgs.coordinator)
    url = reverse("followup:duty_edit", args=[vgs.school.pk, "privatist-host"])
    with time_machine.travel("2026-11-20T09:00:00+01:00", tick=False):
        page = client.get(url)
        assert 'value="Oppmelding til privatisteksamen innan 15. september"' in page.content.decode()
        assert client.post(url, _as_shown(page.context["form"])).status_code == 302
        assert not Duty.objects.filter(school=vgs.school).exists()
        wheel = client.get(reverse("followup:aarshjul")).content.decode()
    assert "Endra for skulen" not in wheel


def test_an_override_changed_back_to_the_aarshjul_duty_is_removed(client: Client, vgs: YearSchool) -> None:
    User.objects.filter(pk=vgs.coordinator.pk).update(language="nn")
    client.force_login(vgs.coordinator)
    url = reverse("followup:duty_edit", args=[vgs.school.pk, "privatist-host"])
    with time_machine.travel("2026-11-20T09:00:00+01:00", tick=False):
        original = _as_shown(client.get(url).context["form"])
        assert client.post(url, {**original, "title": "Privatisteksamen", "day": "10"}).status_code == 302
        assert Duty.objects.filter(school=vgs.school, key="privatist-host").exists()
        assert "Endra for skulen" in client.get(reverse("followup:aarshjul")).content.decode()
        assert client.post(url, original).status_code == 302  # the coordinator writes the original back
        assert not Duty.objects.filter(school=vgs.school).exists()
        wheel = client.get(reverse("followup:aarshjul")).content.decode()
    assert "Endra for skulen" not in wheel
    assert "Oppmelding til privatisteksamen innan 15. september" in wheel
