"""Skolverket's Syllabus API JSON through the curriculum models (``import_skolverket``).

The fixtures in ``tests/curriculum/skolverket/`` are small records in the
API's format with texts written for these tests.
"""

from __future__ import annotations

import json
import shutil
import socket
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from curriculum import grep, skolverket
from curriculum.models import CompetenceAim, CompetenceAimSet, Curriculum, GrepStatus

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "skolverket"


def import_skolverket(*args: str) -> str:
    out = StringIO()
    call_command("import_skolverket", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def subjects(tmp_path: Path) -> Path:
    folder = tmp_path / "subjects"
    shutil.copytree(FIXTURES, folder)
    return folder


def edit(folder: Path, code: str, change: Any) -> None:
    path = folder / f"{code}.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document["subject"])
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def snapshot() -> list[tuple[str, str, str]]:
    return sorted(CompetenceAim.objects.values_list("code", "text", "status"))


def test_it_maps_a_subject_onto_the_curriculum_models() -> None:
    out = import_skolverket("--dir", str(FIXTURES))

    curriculum = Curriculum.objects.get(code="GRGRMAT01")
    assert curriculum.uri == "https://api.skolverket.se/syllabus/v1/subjects/GRGRMAT01"
    assert curriculum.titles == {"swe": "Matematik"}
    assert curriculum.subject_name == "Matematik"
    assert str(curriculum.valid_from) == "2022-07-01"

    sets = {s.code: s for s in curriculum.aim_sets.all()}
    assert sorted(sets) == ["GRGRMAT01/1-3", "GRGRMAT01/4-6", "GRGRMAT01/krav-6"]
    assert sets["GRGRMAT01/krav-6"].sort_order == 3
    assert sets["GRGRMAT01/1-3"].year_levels == [1, 2, 3]
    assert sets["GRGRMAT01/4-6"].year_levels == [4, 5, 6]
    assert sets["GRGRMAT01/krav-6"].year_levels == [6]

    aims = {a.code: a for a in CompetenceAim.objects.filter(curriculum=curriculum)}
    assert aims["GRGRMAT01/1-3/1"].text == "Att räkna äpplen & päron i en korg."
    assert aims["GRGRMAT01/1-3/1"].texts == {"swe": "Att räkna äpplen & päron i en korg."}
    assert aims["GRGRMAT01/1-3/2"].text == "Att jämföra två högar med kulor."
    assert aims["GRGRMAT01/1-3/3"].text == "Runda och kantiga saker i klassrummet."
    assert aims["GRGRMAT01/1-3/3"].aim_set.code == "GRGRMAT01/1-3"
    assert aims["GRGRMAT01/krav-6/E"].text == "Eleven kan räkna några enkla tal med viss säkerhet."
    assert [a.code for a in sets["GRGRMAT01/krav-6"].aims.order_by("sort_order")] == [
        "GRGRMAT01/krav-6/E",
        "GRGRMAT01/krav-6/C",
        "GRGRMAT01/krav-6/A",
    ]
    assert len(aims) == 8
    assert CompetenceAimSet.objects.get(code="GRGRTST01/7-9").year_levels == [7, 8, 9]
    assert "competence aims: 9 new" in out


def test_a_second_import_changes_nothing() -> None:
    skolverket.import_dir(FIXTURES)

    result = skolverket.import_dir(FIXTURES)

    assert (result.created, result.updated, result.expired) == (0, 0, 0)


def test_a_changed_text_updates_the_aim(subjects: Path) -> None:
    skolverket.import_dir(subjects)

    def change(subject: dict[str, Any]) -> None:
        subject["centralContents"][1]["text"] = subject["centralContents"][1]["text"].replace("pizza", "paj")

    edit(subjects, "GRGRMAT01", change)
    result = skolverket.import_dir(subjects)

    assert result.counts["aims"].updated == 1
    assert (result.created, result.expired) == (0, 0)
    assert CompetenceAim.objects.get(code="GRGRMAT01/4-6/1").text == "Att dela en paj i lika stora bitar."


def test_removed_items_and_subjects_are_expired(subjects: Path) -> None:
    skolverket.import_dir(subjects)

    def change(subject: dict[str, Any]) -> None:
        subject["centralContents"][1]["text"] = "<ul><li>Att dela en pizza i lika stora bitar.</li></ul>"
        subject["knowledgeRequirements"] = []

    edit(subjects, "GRGRMAT01", change)
    (subjects / "GRGRTST01.json").unlink()
    result = skolverket.import_dir(subjects)

    expired = set(CompetenceAim.objects.filter(status=GrepStatus.EXPIRED).values_list("code", flat=True))
    assert expired == {
        "GRGRMAT01/4-6/2",
        "GRGRMAT01/krav-6/E",
        "GRGRMAT01/krav-6/C",
        "GRGRMAT01/krav-6/A",
        "GRGRTST01/7-9/1",
    }
    assert CompetenceAimSet.objects.get(code="GRGRMAT01/krav-6").status == GrepStatus.EXPIRED
    assert Curriculum.objects.get(code="GRGRTST01").status == GrepStatus.EXPIRED
    assert Curriculum.objects.get(code="GRGRMAT01").status == GrepStatus.PUBLISHED
    assert result.counts["aims"].expired == 5
    assert CompetenceAim.objects.count() == 9  # never deleted


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"subject": {"code": "GRGRMAT01",', "not valid JSON"),
        ('{"subject": {"code": "GRGRMAT01", "name": "Matematik", "centralContents": "x"}}', "'centralContents'"),
        ('{"subject": {"code": "GRGRMAT01", "centralContents": []}}', "'name' must be a non-empty string"),
        ('{"something": "else"}', "not a Skolverket subject"),
    ],
)
def test_malformed_input_is_a_one_line_error_and_changes_nothing(subjects: Path, content: str, message: str) -> None:
    skolverket.import_dir(subjects)
    before = snapshot()
    (subjects / "ZZBROKEN.json").write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=message) as excinfo:
        import_skolverket("--dir", str(subjects))

    assert "\n" not in str(excinfo.value)
    assert snapshot() == before


def test_html_items_strip_tags_and_fall_back_to_paragraphs() -> None:
    assert skolverket.html_items("<ul><li>a <em>b</em></li><li><script>x</script></li></ul>") == ["a b", "x"]
    assert skolverket.html_items("<p>Ett</p><p>Två &lt;tre&gt;</p>") == ["Ett", "Två <tre>"]
    assert skolverket.year_levels("7-9") == [7, 8, 9]
    assert skolverket.year_levels("9") == [9]
    assert skolverket.year_levels("gymnasiet") == []


class FakeResponse:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *args: object) -> None:
        pass

    def read(self) -> bytes:
        return self.body


def test_it_fetches_the_listed_subjects_from_the_api() -> None:
    routes = {
        f"{skolverket.DEFAULT_API_URL}/subjects": FIXTURES / "subjects.json",
        f"{skolverket.DEFAULT_API_URL}/subjects/GRGRMAT01": FIXTURES / "GRGRMAT01.json",
        f"{skolverket.DEFAULT_API_URL}/subjects/GRGRTST01": FIXTURES / "GRGRTST01.json",
    }

    def urlopen(request: Any, timeout: float) -> FakeResponse:
        return FakeResponse(routes[request.full_url].read_bytes())

    client = skolverket.SkolverketClient(urlopen=urlopen)
    bundle = skolverket.fetch_bundle(client)
    result = skolverket.import_bundle(bundle, complete=True)

    assert sorted(bundle.curricula) == ["GRGRMAT01", "GRGRTST01"]
    assert result.counts["aims"].created == 9
    assert client.requests == 3


def test_http_errors_and_offline_are_one_line_errors() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    with pytest.raises(CommandError) as excinfo:
        import_skolverket("--api", "--base-url", f"http://127.0.0.1:{port}/syllabus/v1", "--retries", "0")

    message = str(excinfo.value)
    assert message.startswith("Cannot reach Skolverket's Syllabus API at http://127.0.0.1:")
    assert "--dir" in message
    assert "\n" not in message
    assert not Curriculum.objects.exists()


def test_an_http_500_is_a_clear_error() -> None:
    import urllib.error

    def urlopen(request: Any, timeout: float) -> FakeResponse:
        raise urllib.error.HTTPError(request.full_url, 500, "Internal Server Error", None, None)  # type: ignore[arg-type]

    client = skolverket.SkolverketClient(urlopen=urlopen, retries=1, sleep=lambda _s: None)
    with pytest.raises(grep.GrepFetchError, match=r"subjects/GRGRMAT01: HTTP 500"):
        skolverket.fetch_bundle(client, subject_codes=["GRGRMAT01"])
