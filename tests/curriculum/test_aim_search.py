"""``curriculum.selectors.search_aims`` over the 317 real LK20 aims (and the demo curriculum)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction

from curriculum import grep
from curriculum.models import CompetenceAim, GrepStatus
from curriculum.selectors import search_aims

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lk20(django_db_setup: None, django_db_blocker: object, lk20_subset: Path) -> Iterator[grep.ImportResult]:
    """The 317 real aims, imported once for this module inside a transaction that is rolled back at its end.

    Each test runs in a savepoint within it, so what a test changes is undone as usual.
    """
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield grep.import_paths([lk20_subset])
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def codes(results: object) -> list[str]:
    return [aim.code for aim in results]  # type: ignore[attr-defined]


def test_it_finds_an_aim_by_its_code_in_any_case(lk20: grep.ImportResult) -> None:
    assert codes(search_aims("km12001")) == ["KM12001"]
    assert codes(search_aims(" KM198 ")) == ["KM198"]


def test_it_lists_the_exact_code_before_codes_that_start_with_it(lk20: grep.ImportResult) -> None:
    grep.import_demo()

    results = codes(search_aims("kmdemo1"))

    assert results[0] == "KMDEMO1"
    assert sorted(results[1:]) == [f"KMDEMO{n}" for n in range(10, 20)]
    assert all(code.startswith("KM12") for code in codes(search_aims("KM12")))


def test_it_finds_the_singular_when_searching_the_plural(lk20: grep.ImportResult) -> None:
    results = list(search_aims("brøker"))

    texts = [aim.text for aim in results]
    assert any(" brøker" in text for text in texts)
    # Norwegian stemming: "beskrive brøk som del av en hel ..." has only the singular.
    assert "KM281" in codes(results)
    assert " brøker" not in CompetenceAim.objects.get(code="KM281").text


def test_it_finds_inflected_forms_of_a_verb(lk20: grep.ImportResult) -> None:
    results = codes(search_aims("samtaler"))

    assert "KM12001" in results  # "lytte til og samtale om skjønnlitteratur ..."


def test_it_finds_partial_words(lk20: grep.ImportResult) -> None:
    multiplication = list(search_aims("multipl"))
    compounds = list(search_aims("skaping"))

    assert multiplication and all("multipl" in aim.text for aim in multiplication[:5])
    assert any("tekstskaping" in aim.text for aim in compounds)


def test_it_ranks_whole_word_matches_first(lk20: grep.ImportResult) -> None:
    results = list(search_aims("tekster"))

    assert len(results) == 50
    assert all(aim.rank > 0 for aim in results[:10])
    assert "tekst" in results[0].text


def test_it_requires_every_word(lk20: grep.ImportResult) -> None:
    results = list(search_aims("lese tekster"))

    assert results
    assert all("les" in aim.text and "tekst" in aim.text for aim in results)
    assert "lese tekster" in results[0].text


def test_it_filters_by_year_level(lk20: grep.ImportResult) -> None:
    results = list(search_aims("lese", year_level=2))
    vg1 = list(search_aims("", year_level=11, limit=500))

    assert results
    assert all(aim.aim_set.year_levels == [2] for aim in results)
    assert len(vg1) == 13 + 17 + 17  # NOR01-07 Vg1, ENG01-05 Vg1 (two programmes)
    assert {aim.curriculum.code for aim in vg1} == {"NOR01-07", "ENG01-05"}


def test_it_filters_by_curriculum_code_or_subject_name(lk20: grep.ImportResult) -> None:
    by_prefix = list(search_aims("", subject="MAT", limit=500))
    by_code = list(search_aims("", subject="eng01-05", limit=500))
    by_name = list(search_aims("", subject="norsk", limit=500))

    assert len(by_prefix) == 95 and {a.curriculum.code for a in by_prefix} == {"MAT01-05"}
    assert len(by_code) == 95
    assert len(by_name) == 127 and {a.curriculum.code for a in by_name} == {"NOR01-07"}
    assert codes(search_aims("brøk", subject="ENG")) == []


def test_it_combines_words_subject_and_year_level(lk20: grep.ImportResult) -> None:
    results = list(search_aims("utforske", subject="Matematikk", year_level=10))

    assert results
    assert {(a.curriculum.code, tuple(a.aim_set.year_levels)) for a in results} == {("MAT01-05", (10,))}


def test_it_lists_a_curriculum_by_its_code(lk20: grep.ImportResult) -> None:
    results = codes(search_aims("MAT01-05", limit=500))

    assert len(results) == 95
    assert results[0] == "KM198"  # the curriculum's own order: first aim after year 2


def test_it_leaves_out_expired_aims_unless_asked(lk20: grep.ImportResult) -> None:
    CompetenceAim.objects.filter(code="KM12001").update(status=GrepStatus.EXPIRED)

    assert codes(search_aims("KM12001")) == []
    assert codes(search_aims("KM12001", include_expired=True)) == ["KM12001"]


def test_it_respects_the_limit(lk20: grep.ImportResult) -> None:
    assert len(search_aims("", limit=7)) == 7
    assert len(search_aims("og", limit=3)) <= 3


def test_it_returns_nothing_for_nonsense(lk20: grep.ImportResult) -> None:
    assert codes(search_aims("zqxjwv")) == []


def test_it_ignores_stop_words(lk20: grep.ImportResult) -> None:
    with_stop_words = codes(search_aims("lese og skrive i tekster", limit=500))

    assert with_stop_words == codes(search_aims("lese skrive tekster", limit=500))
    assert with_stop_words
    assert len(search_aims("og")) == 50  # nothing but stop words: every aim that contains it


def test_it_runs_a_fixed_number_of_queries(lk20: grep.ImportResult, django_assert_max_num_queries: object) -> None:
    list(search_aims("tall og"))  # the first time a word is seen, one query asks if it is a stop word

    with django_assert_max_num_queries(3):  # type: ignore[operator]  # count, aims, core elements
        rows = [
            (aim.code, aim.curriculum.subject_name, aim.aim_set.title, [e.title for e in aim.core_elements.all()])
            for aim in search_aims("tall og")
        ]
    assert rows


SQLITE_SEARCHES = """
import json
from django.core.management import call_command
from django.db import connection
from curriculum import grep
from curriculum.selectors import search_aims

call_command("migrate", "curriculum", verbosity=0)
grep.import_demo()
def codes(*args, **kwargs):
    return [aim.code for aim in search_aims(*args, **kwargs)]
print(json.dumps({
    "vendor": connection.vendor,
    "two words": codes("lese tekster"),
    "two words, year 2": codes("lese tekster", year_level=2),
    "subject": codes("brøk", subject="Demodata: Læreplan i matematikk"),
    "capitals": codes("BRØKER"),
    "capitals and a small word": codes("SPØRSMÅL på"),
    "code": codes("kmdemo1", limit=3),
    "no match": codes("brøk tekster"),
}))
"""


def test_the_demo_searches_aims_on_sqlite(tmp_path: Path) -> None:
    """The demo runs on SQLite, where the search falls back to "every word in
    the text": run it there, in its own process, on the demo curriculum."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO_SETTINGS_MODULE"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    env["DJANGO_SETTINGS_MODULE"] = "iop.settings_test"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SQLITE_SEARCHES],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {
        "vendor": "sqlite",
        "two words": ["KMDEMO23", "KMDEMO3"],  # "lese … tekster" in engelsk and norsk
        "two words, year 2": ["KMDEMO3"],
        "subject": ["KMDEMO15", "KMDEMO16"],
        "capitals": ["KMDEMO15", "KMDEMO16"],  # SQLite's LIKE folds only A-Z; Ø must match ø too
        "capitals and a small word": ["KMDEMO21", "KMDEMO30"],
        "code": ["KMDEMO1", "KMDEMO11", "KMDEMO12"],  # the exact code first, then the curriculum's order
        "no match": [],
    }


def test_it_searches_the_demo_curriculum() -> None:
    grep.import_demo()

    results = list(search_aims("brøk", subject="Demodata: Læreplan i matematikk"))

    assert {a.code for a in results} == {"KMDEMO15", "KMDEMO16"}
    assert all(a.curriculum.title.startswith("Demodata") for a in results)
