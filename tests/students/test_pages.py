"""Pupil list, pupil page and home: content and fixed query counts."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from students.models import GuardianLink, PupilIdentity
from tests import factories as f
from tests.conftest import LOGIN_BACKEND, World
from tests.queries import assert_same_queries, page_queries


def add_pupils(world: World, n: int) -> None:
    for i in range(n):
        pupil = f.pupil_in(world.group_a, last_name=f"Ekstra{i:03d}")
        PupilIdentity.objects.create(pupil=pupil, national_id=f"0101101{i:04d}")


@pytest.mark.parametrize("persona", ["teacher", "coordinator", "guardian_a", "ppt"])
@pytest.mark.parametrize("url_name", ["pupil_list", "home"])
def test_it_runs_a_fixed_number_of_queries_on_lists(world: World, persona: str, url_name: str) -> None:
    client = world.client(persona)
    url = reverse(url_name)
    add_pupils(world, 5)
    small = page_queries(client, url)
    add_pupils(world, 45)
    assert_same_queries(small, page_queries(client, url))


def test_it_runs_a_fixed_number_of_queries_on_the_pupil_page(world: World) -> None:
    client = world.client("coordinator")
    url = reverse("pupil_detail", args=[world.pupil_a.pk])
    small = page_queries(client, url)
    for n in range(10):
        f.guardian_of(f.UserFactory(), world.pupil_a)
        f.assign(f.UserFactory(), world.group_a, "faglaerer", subject=f"Fag {n}")
    assert_same_queries(small, page_queries(client, url))


def test_it_searches_and_filters_the_pupil_list(world: World) -> None:
    client = world.client("coordinator")
    response = client.get(reverse("pupil_list"), {"q": "aas"})
    assert b"Aasen, Anna" in response.content and b"Berg, Bj" not in response.content
    response = client.get(reverse("pupil_list"), {"group": world.group_b.pk})
    assert b"Berg, Bj" in response.content and b"Aasen" not in response.content


def test_the_pupil_list_finds_a_name_written_as_it_shows_it(world: World) -> None:
    """Searching "Berg, Bjørn" (last name, comma, first name, as the list
    writes names) finds the pupil, as "Bjørn Berg" and "berg" do."""
    client = world.client("coordinator")
    for query in ("Berg, Bjørn", "Bjørn Berg", "berg", " Berg ,  Bjørn. ", "_Berg_"):
        page = client.get(reverse("pupil_list"), {"q": query}).content.decode()
        assert "Berg, Bjørn" in page and "Aasen" not in page, query
    page = client.get(reverse("pupil_list"), {"q": "Berg, Anna"}).content.decode()
    assert "Berg, Bjørn" not in page and "Aasen, Anna" not in page


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("jorgensen", "Jørgensen, Håkon"),  # typed without ø
        ("Jörgensen", "Jørgensen, Håkon"),  # the Swedish letter
        ("hakon", "Jørgensen, Håkon"),  # without å
        ("Joergensen Haakon", "Jørgensen, Håkon"),  # ø and å spelled with two letters
        ("saether", "Sæther, Åse"),
        ("asE", "Sæther, Åse"),
        ("Aasen", "Aasen, Anna"),  # the two letters as written
        ("sather", "Sæther, Åse"),  # æ typed as a
        ("Haakon", "Jørgensen, Håkon"),  # the old spelling finds the new
    ],
)
def test_the_pupil_list_finds_a_name_typed_without_the_norwegian_letters(world: World, query: str, found: str) -> None:
    """A name with æ, ø or å is found when it is typed without them ("jorgensen",
    "hakon", "Joergensen") or with the Swedish letter ("Jörgensen")."""
    f.pupil_in(world.group_a, first_name="Håkon", last_name="Jørgensen")
    f.pupil_in(world.group_a, first_name="Åse", last_name="Sæther")
    f.pupil_in(world.group_a, first_name="Jon", last_name="Jarlsen")
    f.pupil_in(world.group_a, first_name="Haakon", last_name="Hansen")
    page = world.client("coordinator").get(reverse("pupil_list"), {"q": query}).content.decode()
    assert found in page, query
    assert "Jarlsen" not in page, query


def test_a_search_of_only_signs_says_it_is_not_used(world: World) -> None:
    client = world.client("coordinator")
    for signs in ("!!!", "_", "-–"):
        page = client.get(reverse("pupil_list"), {"q": signs}, HTTP_HX_REQUEST="true").content.decode()
        assert "Søket har ingen bokstaver eller tall og er ikke brukt." in page, signs
        assert "Aasen, Anna" in page and "Berg, Bjørn" in page, signs
    archive = client.get(reverse("pupil_list"), {"q": "!!!", "arkiv": "1"}).content.decode()
    assert "Ingen elever er arkivert." in archive and "passer søket" not in archive
    named = client.get(reverse("pupil_list"), {"q": "berg"}).content.decode()
    assert "ingen bokstaver" not in named


def test_the_archive_without_a_search_says_no_pupil_is_archived(world: World) -> None:
    page = world.client("coordinator").get(reverse("pupil_list"), {"arkiv": "1"}).content.decode()
    assert "Ingen elever er arkivert." in page and "passer søket" not in page
    searched = world.client("coordinator").get(reverse("pupil_list"), {"arkiv": "1", "q": "x"}).content.decode()
    assert "Ingen elever passer søket." in searched


def test_pupils_of_the_same_name_are_told_apart_by_their_date_of_birth(world: World) -> None:
    """Two pupils of the same name in one class: the list shows each one's
    date of birth beside the name, so the right pupil's file is opened."""
    import datetime

    f.pupil_in(world.group_a, first_name="Jonas", last_name="Haugen", birth_date=datetime.date(2016, 3, 4))
    f.pupil_in(world.group_a, first_name="Jonas", last_name="Haugen", birth_date=datetime.date(2016, 11, 20))
    page = world.client("teacher").get(reverse("pupil_list"), {"q": "Haugen"}).content.decode()
    assert page.count("Haugen, Jonas") == 2
    assert "<td>4.3.2016</td>" in page and "<td>20.11.2016</td>" in page
    assert "Fødselsdato" in page


def test_the_next_page_of_a_filtered_list_keeps_the_filter(world: World) -> None:
    """A coordinator filtering by class past the first page: "Next" keeps the class."""
    for i in range(55):
        f.pupil_in(world.group_b, last_name=f"Neste{i:03d}")
    client = world.client("coordinator")
    first = client.get(reverse("pupil_list"), {"group": world.group_b.pk}).content.decode()
    assert f"group={world.group_b.pk}" in first and "side=2" in first
    second = client.get(reverse("pupil_list"), {"group": world.group_b.pk, "side": 2}).content.decode()
    assert "Neste05" in second and "Aasen, Anna" not in second


def test_an_empty_list_says_a_search_found_nothing_only_after_a_search(world: World) -> None:
    client = world.client("coordinator")
    searched = client.get(reverse("pupil_list"), {"q": "Ingenslike"}).content.decode()
    assert "Ingen elever passer søket." in searched
    nobody = Client()
    nobody.force_login(f.UserFactory(), backend=LOGIN_BACKEND)
    unsearched = nobody.get(reverse("pupil_list")).content.decode()
    assert "Ingen elever å vise." in unsearched and "passer søket" not in unsearched


def test_it_ignores_a_group_the_user_may_not_see(world: World) -> None:
    response = world.client("teacher").get(reverse("pupil_list"), {"group": world.group_c.pk})
    assert response.status_code == 200
    assert b"Filteret var ugyldig" in response.content
    assert b"Carlsen" not in response.content


def test_it_answers_htmx_with_the_results_fragment(world: World) -> None:
    response = world.client("teacher").get(reverse("pupil_list"), {"q": "Anna"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b"Aasen, Anna" in response.content


def test_the_pupil_page_reads_the_masked_national_id_and_the_moves_with_the_pupil(world: World) -> None:
    """The coordinator's pupil page reads the national id's last two digits
    (never the number) and whether there are moves in the pupil's own query:
    a national id adds no query, and the moves a query only when there are some."""
    client = world.client("coordinator")
    url = reverse("pupil_detail", args=[world.pupil_a.pk])
    without = page_queries(client, url, warm=True)
    PupilIdentity.objects.create(pupil=world.pupil_a, national_id="01011012345")
    with_identity = page_queries(client, url)
    assert len(with_identity.sql) == len(without.sql)
    assert not [q for q in with_identity.sql if q.startswith('SELECT "students_pupilidentity"')]
    assert not [q for q in with_identity.sql if "students_pupilidentity" in q and '"national_id" FROM' in q]
    assert not [q for q in without.sql if 'FROM "students_pupiltransfer"' in q.split(" WHERE ")[0]]


def test_it_shows_the_national_id_masked_to_coordinators_only(world: World) -> None:
    PupilIdentity.objects.create(pupil=world.pupil_a, national_id="01011012345")
    url = reverse("pupil_detail", args=[world.pupil_a.pk])
    coordinator_page = world.client("coordinator").get(url).content.decode()
    assert "•••••••••45" in coordinator_page and "01011012345" not in coordinator_page
    for persona in ("teacher", "guardian_a", "vikar"):
        page = world.client(persona).get(url).content.decode()
        assert "Fødselsnummer" not in page and "45</dd>" not in page


def test_it_shows_a_parent_only_their_child_on_the_home_page(world: World) -> None:
    page = world.client("guardian_a").get(reverse("home")).content.decode()
    assert "Anna Aasen" in page and "Bjørn" not in page
    assert "Mine barn" in page


def test_it_tells_the_operator_what_they_can_do_on_the_home_page(world: World) -> None:
    """The operator has no school role: their home page links the operator
    pages and the admin (in bokmål), not "ask for a role"."""
    page = world.client("operator").get(reverse("home")).content.decode()
    assert "Drift av tjenesten" in page and "ingen rolle ved noen skole" not in page
    for url in (reverse("roster_imports"), reverse("school_years"), reverse("followup:aarshjul_choices")):
        assert f'<li><a class="ds-link" href="{url}">' in page
    assert f'href="{reverse("admin:index")}">Administrasjon: brukere, skoler, grupper og roller</a>' in page
    assert "Drift av tjenesten" not in world.client("teacher").get(reverse("home")).content.decode()
    nobody = f.UserFactory(email="nobody@test.example")
    client = world.client("anonymous")
    client.force_login(nobody, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("home")).content.decode()
    assert "ingen rolle ved noen skole" in page and "Drift av tjenesten" not in page


def test_it_speaks_norwegian_by_default(world: World) -> None:
    page = world.client("teacher").get(reverse("pupil_list")).content.decode()
    assert 'lang="nb"' in page and "Søk på navn" in page


def test_it_speaks_swedish_to_a_swedish_school(world: World) -> None:
    f.make_swedish(world.school2)
    page = world.client("coordinator_other").get(reverse("pupil_list")).content.decode()
    assert 'lang="sv"' in page and "Sök på namn" in page and "Elever du har åtkomst till" in page
    from django.utils import translation

    assert translation.get_language() == "nb", "the language of a request must not outlive it"
    # a Norwegian user and an anonymous visitor keep bokmål
    assert "Søk på navn" in world.client("coordinator").get(reverse("pupil_list")).content.decode()
    assert "Logg inn" in world.client("anonymous").get(reverse("login")).content.decode()


def test_a_filter_that_cannot_be_used_says_so(world: World) -> None:
    """A stale link: a class the user has no pupils in, an unknown class or a
    search longer than the field takes. The whole list is shown with a
    warning that the filter was ignored, never an error and never the class."""
    for persona, params in (
        ("coordinator", {"group": "999999"}),
        ("coordinator", {"group": "abc"}),
        ("coordinator", {"q": "a" * 101}),
        ("teacher", {"group": str(world.group_b.pk)}),
    ):
        response = world.client(persona).get(reverse("pupil_list"), params)
        page = response.content.decode()
        assert response.status_code == 200, (persona, params)
        assert "Filteret var ugyldig og er ikke brukt." in page, (persona, params)
        assert "Berg, Bj" not in page or persona == "coordinator", (persona, params)
        # a search too long says so, in the user's language
        assert ("100 eller færre tegn (den har nå 101)" in page) == ("q" in params), (persona, params)


def test_the_pupil_page_names_a_guardians_relation_only_when_it_is_known(world: World) -> None:
    """A link made without the relation (a roster import, the demo) says
    nothing of it, rather than calling every guardian "another guardian"."""
    f.guardian_of(f.UserFactory(full_name="Mona Mor"), world.pupil_a)  # the mother
    GuardianLink.objects.filter(user=world.user("guardian_a")).update(relation=GuardianLink.Relation.OTHER)
    page = world.client("teacher").get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    assert "Mona Mor (Mor)" in page
    assert "Aud Foresatt</li>" in page and "Annen foresatt" not in page


def test_a_guardian_sees_their_children_named_so_without_the_staffs_group_filter(world: World) -> None:
    page = world.client("guardian_a").get(reverse("pupil_list")).content.decode()
    assert '<h1 class="ds-heading" data-size="lg">Mine barn</h1>' in page
    assert "Elever du har tilgang til" not in page and re.search(
        r'<div class="ds-field" hidden>\s*<label[^>]*for="id_group"', page
    )
    page = world.client("teacher").get(reverse("pupil_list")).content.decode()
    assert '<h1 class="ds-heading" data-size="lg">Elever</h1>' in page and "Mine barn" not in page
