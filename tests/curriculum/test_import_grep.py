"""``manage.py import_grep`` and the upsert service behind it."""

from __future__ import annotations

import json
import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from curriculum import grep
from curriculum.models import CompetenceAim, CompetenceAimSet, CoreElement, Curriculum, GrepStatus, SubjectCode
from tests.curriculum import records as r

pytestmark = pytest.mark.django_db


def import_grep(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_grep", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_records(folder: Path, *records: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for record in records:
        (folder / f"{record['kode']}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return folder


# --- Real samples ------------------------------------------------------------


def test_it_imports_the_grep_samples(grep_samples: Path) -> None:
    out, _err = import_grep("--dir", str(grep_samples))

    curriculum = Curriculum.objects.get(code="NOR01-06")
    assert curriculum.uri == "http://psi.udir.no/kl06/NOR01-06"
    assert curriculum.title == "Læreplan i norsk"
    assert curriculum.titles["nob"] == "Læreplan i norsk"
    assert curriculum.subject_name == "Norsk"
    assert curriculum.status == GrepStatus.PUBLISHED
    assert str(curriculum.valid_from) == "2020-08-01"
    assert curriculum.replaces_codes == ["NOR1-05"]

    sets = {s.code: s for s in curriculum.aim_sets.all()}
    assert len(sets) == 9
    assert sets["KV116"].year_levels == [2]
    assert sets["KV116"].year_level_labels == ["2"]
    assert sets["KV115"].year_level_labels == ["Vg3"]
    assert sets["KV116"].sort_order == 1
    assert list(curriculum.core_elements.order_by("sort_order").values_list("code", flat=True)) == [
        "KE105",
        "KE106",
        "KE107",
        "KE108",
        "KE109",
        "KE110",
    ]
    subject_code = SubjectCode.objects.get(code="NOR0201")
    assert subject_code.titles["sme"] == "Dárogiella 1. jahkeceahkki"
    assert subject_code.curricula.count() == 0  # its curriculum NOR1-05 is LK06, not imported
    assert "curricula: 1 new" in out
    assert "competence aim sets: 9 new" in out
    assert "Not imported (other Grep types): 1 aarstrinn, 1 opplaeringsfag" in out


def test_it_imports_the_317_aims_of_the_lk20_subset(lk20_subset: Path) -> None:
    out, _err = import_grep("--dir", str(lk20_subset))

    assert CompetenceAim.objects.count() == 317
    assert Curriculum.objects.count() == 3
    assert CompetenceAim.objects.filter(curriculum__code="NOR01-07").count() == 127
    aim = CompetenceAim.objects.select_related("aim_set", "curriculum").get(code="KM198")
    assert aim.text.startswith("ordne tall, mengder og former ut fra egenskaper")
    assert aim.texts["eng"].startswith("order numbers, sets and shapes")
    assert aim.curriculum.code == "MAT01-05"
    assert aim.aim_set.year_levels == [2]
    assert set(aim.core_elements.values_list("code", flat=True)) == {"KE14", "KE15"}
    assert CoreElement.objects.get(code="KE12").aims.count() > 0
    assert "competence aims: 317 new, 0 updated, 0 expired" in out


def test_it_changes_nothing_when_importing_twice(lk20_subset: Path, grep_samples: Path) -> None:
    grep.import_paths([lk20_subset, grep_samples])

    again = grep.import_paths([lk20_subset, grep_samples])
    out, _err = import_grep("--dir", str(lk20_subset))

    assert (again.created, again.updated, again.expired) == (0, 0, 0)
    assert again.counts["aims"].unchanged == 317
    assert "Total: 0 new, 0 updated, 0 expired" in out


def test_it_updates_changed_texts_and_expires_removed_aims(lk20_subset: Path, tmp_path: Path) -> None:
    grep.import_paths([lk20_subset])
    document = json.loads((lk20_subset / "norwegian.json").read_text(encoding="utf-8"))
    goals = document["subject"]["gradeBands"][0]["competenceGoals"]
    assert goals[0]["code"] == "KM12001" and goals[1]["code"] == "KM12013"
    goals[0]["text"]["local"] = "lytte til og samtale om skjønnlitteratur og sakprosa"
    del goals[1]
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "norwegian.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    result = grep.import_paths([newer])

    assert (result.created, result.updated, result.expired) == (0, 1, 1)
    assert result.counts["aims"].updated == 1 and result.counts["aims"].expired == 1
    changed = CompetenceAim.objects.get(code="KM12001")
    assert changed.text == "lytte til og samtale om skjønnlitteratur og sakprosa"
    assert changed.texts["eng"].startswith("listen to")
    removed = CompetenceAim.objects.get(code="KM12013")
    assert removed.status == GrepStatus.EXPIRED
    assert removed.replaced_by is None
    assert CompetenceAim.objects.filter(status=GrepStatus.PUBLISHED).count() == 316
    # Importing the newer version again is a no-op; the original brings the aim back.
    assert grep.import_paths([newer]).updated == 0
    restored = grep.import_paths([lk20_subset])
    assert (restored.updated, restored.expired) == (2, 0)
    assert CompetenceAim.objects.get(code="KM12013").status == GrepStatus.PUBLISHED


# --- REST records: versions and replacements --------------------------------------


def version_one(folder: Path) -> Path:
    return write_records(
        folder,
        r.curriculum("TST01-01", "Læreplan i testfag", [("KV9001", "Kompetansemål etter 4. trinn")]),
        r.aim_set("KV9001", "TST01-01", ["aarstrinn4"], ["KM9001", "KM9002", "KM9004"]),
        r.aim("KM9001", "telle til ti", "KV9001", "TST01-01", core=("KE9001",)),
        r.aim("KM9002", "skrive tall", "KV9001", "TST01-01", core=("KE9001",)),
        r.aim("KM9004", "tegne figurer", "KV9001", "TST01-01"),
    )


def test_it_records_what_replaced_an_expired_aim(tmp_path: Path) -> None:
    first = grep.import_paths([version_one(tmp_path / "v1")])
    assert first.counts["aims"].created == 3
    assert first.counts["core_elements"].created == 1
    assert CompetenceAim.objects.get(code="KM9001").core_elements.get().code == "KE9001"

    v2 = write_records(
        tmp_path / "v2",
        r.curriculum("TST01-01", "Læreplan i testfag", [("KV9001", "Kompetansemål etter 4. trinn")]),
        r.aim_set("KV9001", "TST01-01", ["aarstrinn4"], ["KM9001", "KM9003"]),
        r.aim("KM9001", "telle til hundre", "KV9001", "TST01-01", core=("KE9001",)),
        r.aim("KM9002", "skrive tall", "KV9001", "TST01-01", status=r.EXPIRED, replaced_by="KM9003"),
        r.aim("KM9003", "skrive og lese tall", "KV9001", "TST01-01"),
    )
    second = grep.import_paths([v2])

    aims = second.counts["aims"]
    assert (aims.created, aims.updated, aims.expired) == (1, 1, 2)
    replaced = CompetenceAim.objects.select_related("replaced_by").get(code="KM9002")
    assert replaced.status == GrepStatus.EXPIRED
    assert replaced.replaced_by is not None and replaced.replaced_by.code == "KM9003"
    assert replaced.replaced_by_code == "KM9003"
    assert list(CompetenceAim.objects.get(code="KM9003").replaces.values_list("code", flat=True)) == ["KM9002"]
    dropped = CompetenceAim.objects.get(code="KM9004")  # no longer listed, and nothing said what replaced it
    assert dropped.status == GrepStatus.EXPIRED and dropped.replaced_by is None
    assert CompetenceAim.objects.get(code="KM9001").text == "telle til hundre"
    again = grep.import_paths([v2])
    assert (again.created, again.updated, again.expired) == (0, 0, 0)


def test_it_resolves_a_replacement_imported_later(tmp_path: Path) -> None:
    grep.import_paths([version_one(tmp_path / "v1")])
    grep.import_paths(
        [
            write_records(
                tmp_path / "a",
                r.aim("KM9002", "skrive tall", "KV9001", "TST01-01", status=r.EXPIRED, replaced_by="KM9010"),
            )
        ]
    )
    assert CompetenceAim.objects.get(code="KM9002").replaced_by is None

    grep.import_paths([write_records(tmp_path / "b", r.aim("KM9010", "skrive tall i tallord", "KV9001", "TST01-01"))])

    assert CompetenceAim.objects.get(code="KM9002").replaced_by == CompetenceAim.objects.get(code="KM9010")


def test_it_updates_core_element_links(tmp_path: Path) -> None:
    grep.import_paths([version_one(tmp_path / "v1")])

    result = grep.import_paths(
        [write_records(tmp_path / "v2", r.aim("KM9001", "telle til ti", "KV9001", "TST01-01", core=("KE9002",)))]
    )

    assert result.counts["aims"].updated == 1
    assert list(CompetenceAim.objects.get(code="KM9001").core_elements.values_list("code", flat=True)) == ["KE9002"]


def test_it_expires_a_replaced_curriculum_and_its_unlisted_sets(tmp_path: Path) -> None:
    grep.import_paths([version_one(tmp_path / "v1")])

    result = grep.import_paths(
        [
            write_records(
                tmp_path / "v2",
                r.curriculum(
                    "TST01-01",
                    "Læreplan i testfag",
                    [],
                    status=r.EXPIRED,
                    **{"erstattes-av": [r.ref("TST01-02", "Læreplan i testfag", "laereplan_lk20")]},
                ),
            )
        ]
    )

    curriculum = Curriculum.objects.get(code="TST01-01")
    assert curriculum.status == GrepStatus.EXPIRED
    assert curriculum.replaced_by_codes == ["TST01-02"]
    assert result.counts["curricula"].expired == 1
    assert result.counts["aim_sets"].expired == 1
    assert result.counts["aims"].expired == 3
    assert CompetenceAimSet.objects.get(code="KV9001").status == GrepStatus.EXPIRED


def test_a_stub_never_overwrites_a_full_record(tmp_path: Path) -> None:
    grep.import_paths([version_one(tmp_path / "v1")])
    aim_set = CompetenceAimSet.objects.get(code="KV9001")
    assert aim_set.title == "Kompetansemål etter aarstrinn4"  # from the set's own record

    # An aim names its set with another title; the set's row keeps its own.
    result = grep.import_paths([write_records(tmp_path / "v2", r.aim("KM9005", "måle", "KV9001", "TST01-01"))])

    assert result.counts["aim_sets"].updated == 0
    assert CompetenceAimSet.objects.get(code="KV9001").title == "Kompetansemål etter aarstrinn4"


# --- Errors ---------------------------------------------------------------------


def test_it_rejects_malformed_json_with_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "KM1.json").write_text('{"kode": "KM1", "tittel": ', encoding="utf-8")

    with pytest.raises(CommandError, match=r"KM1\.json: not valid JSON: Expecting value \(line 1, column 27\)"):
        import_grep("--dir", str(tmp_path))
    assert Curriculum.objects.count() == 0


def test_it_rejects_a_record_it_cannot_read(tmp_path: Path) -> None:
    aim = r.aim("KM9001", "telle", "KV9001", "TST01-01")
    aim["kode"] = ""
    (tmp_path / "aim.json").write_text(json.dumps(aim), encoding="utf-8")

    with pytest.raises(CommandError, match=r"aim\.json: kompetansemaal_lk20 record without code: record has no 'kode'"):
        import_grep("--dump", str(tmp_path / "aim.json"))


def test_it_rejects_a_folder_without_records(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"no \.json or \.jsonld files"):
        import_grep("--dir", str(tmp_path))
    with pytest.raises(CommandError, match="not a folder"):
        import_grep("--dir", str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="no such file or folder"):
        import_grep("--dump", str(tmp_path / "missing.zip"))


def test_it_rolls_back_a_broken_import_entirely(tmp_path: Path, lk20_subset: Path) -> None:
    shutil.copy(lk20_subset / "english.json", tmp_path / "a.json")
    (tmp_path / "b.json").write_text("[1, 2]", encoding="utf-8")

    with pytest.raises(CommandError, match=r"b\.json \[item 1\]: expected a record"):
        import_grep("--dir", str(tmp_path))
    assert CompetenceAim.objects.count() == 0


# --- Command options ------------------------------------------------------------------


def test_it_imports_the_demo_curriculum() -> None:
    out, _err = import_grep("--demo")

    assert set(Curriculum.objects.values_list("code", flat=True)) == {"DEMO-NOR01", "DEMO-MAT01", "DEMO-ENG01"}
    assert all(title.startswith("Demodata") for title in Curriculum.objects.values_list("title", flat=True))
    assert CompetenceAimSet.objects.count() == 12
    assert CompetenceAim.objects.count() == 30
    assert CoreElement.objects.count() == 9
    assert sorted({tuple(s.year_levels) for s in CompetenceAimSet.objects.all()}) == [(2,), (4,), (7,), (10,)]
    assert all(code.startswith("KMDEMO") for code in CompetenceAim.objects.values_list("code", flat=True))
    assert not CompetenceAim.objects.filter(core_elements=None).exists()
    assert Curriculum.objects.get(code="DEMO-MAT01").subject_name == "Matematikk"
    assert "Total: 54 new, 0 updated, 0 expired" in out
    again = grep.import_demo()
    assert (again.created, again.updated, again.expired) == (0, 0, 0)


def test_it_reports_and_rolls_back_a_dry_run() -> None:
    out, _err = import_grep("--demo", "--dry-run")

    assert "competence aims: 30 new" in out
    assert "Dry run: nothing was saved." in out
    assert CompetenceAim.objects.count() == 0


def test_it_shows_progress_when_asked() -> None:
    _out, err = import_grep("--demo", "--progress")

    assert "writing aims: 30/30" in err


def test_it_refuses_curriculum_codes_without_api() -> None:
    with pytest.raises(CommandError, match="--curriculum only works with --api"):
        import_grep("--demo", "--curriculum", "NOR01-07")


# --- The API, served locally -----------------------------------------------------------


class FakeGrep(BaseHTTPRequestHandler):
    routes: dict[str, Any] = {}
    failures: dict[str, int] = {}

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if self.failures.get(path, 0) > 0:
            self.failures[path] -= 1
            self.send_response(503)
            self.end_headers()
            return
        if path not in self.routes:
            self.send_response(404)
            self.end_headers()
            return
        body = json.dumps(self.routes[path]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_grep() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGrep)
    base = f"http://127.0.0.1:{server.server_address[1]}/kl06/v201906"
    curriculum = r.curriculum("TST01-01", "Læreplan i testfag", [("KV9001", "Kompetansemål etter 4. trinn")])
    # References carry Udir's own url-data; the importer builds URLs from --base-url instead.
    curriculum["kompetansemaal-kapittel"]["kompetansemaalsett"][0]["url-data"] = "https://data.udir.no/x/KV9001"
    FakeGrep.routes = {
        "/kl06/v201906/laereplaner-lk20": [{"kode": "TST01-01", "url-data": "https://data.udir.no/x/TST01-01"}],
        "/kl06/v201906/laereplaner-lk20/TST01-01": curriculum,
        "/kl06/v201906/kompetansemaalsett-lk20/KV9001": r.aim_set(
            "KV9001", "TST01-01", ["aarstrinn4"], ["KM9001", "KM9002"]
        ),
        "/kl06/v201906/kompetansemaal-lk20/KM9001": r.aim("KM9001", "telle til ti", "KV9001", "TST01-01"),
        "/kl06/v201906/kompetansemaal-lk20/KM9002": r.aim("KM9002", "skrive tall", "KV9001", "TST01-01"),
    }
    FakeGrep.failures = {"/kl06/v201906/kompetansemaal-lk20/KM9002": 2}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def test_it_fetches_from_the_api_with_retries(fake_grep: str) -> None:
    client = grep.GrepClient(fake_grep, timeout=5, retries=3, sleep=lambda _seconds: None)

    bundle = grep.fetch_bundle(client, workers=2)
    result = grep.import_bundle(bundle)

    assert sorted(bundle.aims) == ["KM9001", "KM9002"]
    assert result.counts["aims"].created == 2
    assert CompetenceAimSet.objects.get(code="KV9001").year_levels == [4]
    assert client.requests == 7  # list, curriculum, set, two aims, two retries of KM9002


def test_it_imports_from_the_api_command(fake_grep: str) -> None:
    FakeGrep.failures = {}
    out, _err = import_grep("--api", "--base-url", fake_grep, "--curriculum", "TST01-01")

    assert "competence aims: 2 new" in out
    assert CompetenceAim.objects.get(code="KM9001").curriculum.code == "TST01-01"


def test_it_gives_up_after_the_retries(fake_grep: str) -> None:
    FakeGrep.failures = {"/kl06/v201906/kompetansemaal-lk20/KM9002": 5}
    client = grep.GrepClient(fake_grep, retries=2, sleep=lambda _seconds: None)

    with pytest.raises(grep.GrepFetchError, match=r"KM9002: HTTP 503"):
        grep.fetch_bundle(client)


def test_it_says_in_one_line_when_the_api_cannot_be_reached() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once we leave the block: nothing listens there

    with pytest.raises(CommandError) as excinfo:
        import_grep("--api", "--base-url", f"http://127.0.0.1:{port}/kl06/v201906", "--retries", "0")

    message = str(excinfo.value)
    assert message.startswith("Cannot reach the Grep API at http://127.0.0.1:")
    assert "--dump or --dir" in message
    assert "\n" not in message


def test_it_drops_a_validity_end_before_its_start(tmp_path: Path) -> None:
    record = r.curriculum(
        "TST01-01",
        "Læreplan i testfag",
        [],
        gyldighetsperiode={
            "gyldig-fra": {"dato": "2021-08-01T00:00:00"},
            "gyldig-til": {"dato": "2020-07-31T00:00:00"},
        },
    )

    result = grep.import_paths([write_records(tmp_path, record)])

    curriculum = Curriculum.objects.get(code="TST01-01")
    assert (str(curriculum.valid_from), curriculum.valid_to) == ("2021-08-01", None)
    assert result.warnings == ["TST01-01: valid from 2021-08-01 is after valid to 2020-07-31"]


def test_it_reports_a_database_refusal_without_a_traceback(tmp_path: Path) -> None:
    Curriculum.objects.create(code="OLD01-01", title="Gammel", uri=r.uri("TST01-01"))
    write_records(
        tmp_path,
        r.curriculum("TST01-01", "Læreplan i testfag", []),
        r.curriculum("OLD01-01", "Gammel", []) | {"uri": r.uri("TST01-01")},
    )

    with pytest.raises(CommandError, match="The database refused the import, nothing was saved"):
        import_grep("--dir", str(tmp_path))


def test_the_demo_builder_imports_the_demo_curriculum_once() -> None:
    from curriculum import demo

    first, second = demo.create(), demo.create()

    assert first.counts["aims"].created == 30
    assert (second.created, second.updated, second.expired) == (0, 0, 0)
