"""Parsing Grep's formats (no database): the real samples in ../shared and small invented records."""

from __future__ import annotations

import datetime
import json
import zipfile
from pathlib import Path

import pytest

from curriculum import grep
from tests.curriculum import records as r

NOR01_06_SETS = ["KV116", "KV109", "KV110", "KV111", "KV112", "KV114", "KV113", "KV115", "KV108"]


def parse_file(path: Path) -> grep.GrepBundle:
    return grep.load_path(path)


def test_it_reads_a_curriculum_in_rest_json(grep_samples: Path) -> None:
    bundle = parse_file(grep_samples / "nor01-06.json")

    curriculum = bundle.curricula["NOR01-06"]
    assert curriculum.uri == "http://psi.udir.no/kl06/NOR01-06"
    assert curriculum.title == "Læreplan i norsk"
    assert curriculum.titles == {"default": "Læreplan i norsk", "nob": "Læreplan i norsk"}
    assert curriculum.short_title == "Norsk"
    assert curriculum.status == "published"
    assert curriculum.valid_from == datetime.date(2020, 8, 1)
    assert curriculum.valid_to is None
    assert curriculum.replaces_codes == ["NOR1-05"]
    assert curriculum.replaced_by_codes == []
    assert curriculum.aim_set_codes == NOR01_06_SETS


def test_it_takes_aim_sets_and_core_elements_from_the_curriculum_listing(grep_samples: Path) -> None:
    bundle = parse_file(grep_samples / "nor01-06.json")

    assert list(bundle.aim_sets) == NOR01_06_SETS
    assert all(s.stub and s.curriculum_code == "NOR01-06" for s in bundle.aim_sets.values())
    assert bundle.aim_sets["KV116"].title == "Kompetansemål og vurdering 2. trinn"
    assert bundle.aim_sets["KV116"].year_levels == [2]
    assert bundle.aim_sets["KV111"].year_levels == [10]
    assert bundle.aim_sets["KV114"].year_levels == [11]  # Vg1 studieforberedende
    assert bundle.aim_sets["KV112"].year_levels == [12]  # Vg2 yrkesfaglige
    assert bundle.aim_sets["KV108"].year_levels == [13]  # Vg3 påbygging
    assert bundle.aim_sets["KV108"].year_level_codes == ["vg3"]
    assert {code: e.title for code, e in bundle.core_elements.items()} == {
        "KE105": "Tekst i kontekst",
        "KE106": "Kritisk tilnærming til tekst",
        "KE107": "Muntlig kommunikasjon",
        "KE108": "Skriftlig tekstskaping",
        "KE109": "Språket som system og mulighet",
        "KE110": "Språklig mangfold",
    }


def test_it_reads_a_curriculum_in_json_ld(grep_samples: Path) -> None:
    bundle = parse_file(grep_samples / "laereplan.lk20_NOR01-06.jsonld")

    curriculum = bundle.curricula["NOR01-06"]
    assert curriculum.uri == "http://psi.udir.no/kl06/NOR01-06"
    assert curriculum.titles["nob"] == "Læreplan i norsk"
    assert curriculum.short_title == "Norsk"
    assert curriculum.valid_from == datetime.date(2020, 8, 1)
    assert curriculum.replaces_codes == ["NOR1-05"]
    assert curriculum.aim_set_codes == NOR01_06_SETS
    # JSON-LD names the sets and core elements only by URI: no stubs without titles.
    assert bundle.aim_sets == {}
    assert bundle.core_elements == {}


def test_it_reads_a_subject_code_in_json_ld(grep_samples: Path) -> None:
    bundle = parse_file(grep_samples / "fagkode.NOR0201.jsonld")

    subject_code = bundle.subject_codes["NOR0201"]
    assert subject_code.title == "Norsk 1. årstrinn"
    assert subject_code.titles["eng"] == "Norwegian"
    assert subject_code.titles["nno"] == "Norsk 1. årssteg"
    assert subject_code.short_title == "Norsk"
    assert subject_code.valid_from == datetime.date(2008, 8, 1)
    assert subject_code.status == "published"


def test_it_merges_the_rest_and_json_ld_forms_of_one_record(grep_samples: Path) -> None:
    bundle = parse_file(grep_samples)

    assert list(bundle.curricula) == ["NOR01-06"]
    curriculum = bundle.curricula["NOR01-06"]
    assert curriculum.aim_set_codes == NOR01_06_SETS
    assert curriculum.valid_from == datetime.date(2020, 8, 1)
    assert len(bundle.aim_sets) == 9
    assert len(bundle.core_elements) == 6
    assert list(bundle.subject_codes) == ["NOR0201"]
    # The opplaeringsfag record links the subject code to an (LK06) curriculum; aarstrinn is not ours.
    assert ("NOR0201", "NOR1-05") in bundle.subject_links
    assert bundle.skipped == {"aarstrinn": 1, "opplaeringsfag": 1}


def test_it_reads_the_lk20_subset(lk20_subset: Path) -> None:
    bundle = parse_file(lk20_subset)

    assert sorted(bundle.curricula) == ["ENG01-05", "MAT01-05", "NOR01-07"]
    assert len(bundle.aims) == 317
    assert sum(1 for a in bundle.aims.values() if a.curriculum_code == "NOR01-07") == 127
    assert sum(1 for a in bundle.aims.values() if a.curriculum_code == "MAT01-05") == 95
    assert sum(1 for a in bundle.aims.values() if a.curriculum_code == "ENG01-05") == 95
    assert bundle.skipped == {"metadata": 1}

    norsk = bundle.curricula["NOR01-07"]
    assert norsk.complete and norsk.short_title == "Norsk"
    assert norsk.titles == {"nob": "Læreplan i norsk", "eng": "Curriculum for Norwegian"}
    aim = bundle.aims["KM12001"]
    assert aim.text == "lytte til og samtale om skjønnlitteratur og sakprosa på bokmål og nynorsk"
    assert aim.texts["eng"].startswith("listen to and talk about fiction")
    assert aim.aim_set_code == "NOR01-07/2-trinn"
    assert aim.core_element_codes == ["KE1599"]
    assert bundle.aim_sets["NOR01-07/2-trinn"].year_levels == [2]
    vg2_sets = [s for s in bundle.aim_sets.values() if s.curriculum_code == "NOR01-07" and s.year_levels == [12]]
    assert len(vg2_sets) == 2  # yrkesfaglige and studieforberedende
    assert len({s.code for s in vg2_sets}) == 2


def test_it_matches_core_elements_named_in_nynorsk(lk20_subset: Path) -> None:
    bundle = parse_file(lk20_subset / "mathematics.json")

    # KM266 names "Utforsking og problemløysing"; the core element is "Utforsking og problemløsing" (KE12).
    assert bundle.aims["KM266"].core_element_codes == ["KE12", "KE15"]


@pytest.mark.parametrize(
    ("code", "level"),
    [("aarstrinn1", 1), ("aarstrinn10", 10), ("vg1", 11), ("VG2", 12), ("vg3", 13), ("aarstrinn_vg4", None)],
)
def test_it_maps_year_level_codes(code: str, level: int | None) -> None:
    assert grep.year_level_from_code(code) == level


@pytest.mark.parametrize(
    ("title", "levels"),
    [
        ("Kompetansemål og vurdering 2. trinn", [2]),
        ("Kompetansemål og vurdering 10. trinn\xa0", [10]),
        ("Kompetansemål og vurdering 7.trinn", [7]),
        ("Kompetansemål og vurdering Vg2 yrkesfaglige utdanningsprogram", [12]),
        ("Kompetansemål og vurdering Vg3 påbygging til generell studiekompetanse", [13]),
        ("Kompetansemål", []),
    ],
)
def test_it_reads_year_levels_from_titles(title: str, levels: list[int]) -> None:
    assert grep.year_levels_from_title(title) == levels


def test_it_reads_every_shape_of_text_and_reference() -> None:
    assert grep.texts_from({"tekst": [{"spraak": "nob", "verdi": " a  b "}]}) == {"nob": "a b"}
    assert grep.texts_from([{"spraak": "default", "verdi": "x"}]) == {"default": "x"}
    assert grep.texts_from("plain") == {"default": "plain"}
    assert grep.pick_text({"eng": "e", "default": "d"}) == "d"
    assert grep.ref_code({"kode": "KE12", "uri": "http://psi.udir.no/kl06/KE99"}) == "KE12"
    assert grep.ref_code({"uriId": "http://psi.udir.no/kl06/KV116"}) == "KV116"
    assert grep.ref_code({"referanse": {"kode": "KE13"}}) == "KE13"
    assert grep.ref_code("http://psi.udir.no/kl06/aarstrinn4") == "aarstrinn4"
    assert grep.status_from(r.PUBLISHED) == "published"
    assert grep.status_from(r.EXPIRED) == "expired"
    assert grep.status_from(None) == "published"
    assert grep.clean_html("<p>Elevene skal&nbsp;lese.</p><p>Og skrive.</p>") == "Elevene skal lese.\nOg skrive."


def test_it_reads_an_aim_record_with_its_links() -> None:
    bundle = grep.GrepBundle()
    record = r.aim("KM9001", "telle  til ti", "KV9001", "TST01-01", core=("KE9001",), replaced_by="KM9002")
    grep.parse_document(record, bundle, source="test")

    aim = bundle.aims["KM9001"]
    assert aim.text == "telle til ti"
    assert aim.curriculum_code == "TST01-01"
    assert aim.aim_set_code == "KV9001"
    assert aim.core_element_codes == ["KE9001"]
    assert aim.replaced_by_code == "KM9002"
    assert bundle.curricula["TST01-01"].stub
    assert bundle.aim_sets["KV9001"].stub and bundle.aim_sets["KV9001"].year_levels == [4]
    assert bundle.core_elements["KE9001"].title == "Kjerneelement KE9001"


def test_it_reads_a_dump_archive_with_one_folder_per_type(tmp_path: Path) -> None:
    archive = tmp_path / "dump.zip"
    curriculum = r.curriculum("TST01-01", "Læreplan i testfag", [("KV9001", "Kompetansemål etter 4. trinn")])
    aim_set = r.aim_set("KV9001", "TST01-01", ["aarstrinn4"], ["KM9001"])
    aim = r.aim("KM9001", "telle til ti", "KV9001", "TST01-01")
    del aim["grep-type"]  # the folder says what it is
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("laereplaner-lk20/TST01-01.json", json.dumps(curriculum))
        zf.writestr("kompetansemaalsett-lk20/KV9001.json", json.dumps(aim_set))
        zf.writestr("kompetansemaal-lk20/KM9001.json", json.dumps(aim))
        zf.writestr("README.txt", "not json")

    bundle = grep.load_path(archive)

    assert list(bundle.curricula) == ["TST01-01"]
    assert bundle.aim_sets["KV9001"].year_levels == [4]
    assert bundle.aim_sets["KV9001"].aim_codes == ["KM9001"]
    assert not bundle.aim_sets["KV9001"].stub
    assert bundle.aims["KM9001"].text == "telle til ti"


def test_it_reads_records_grouped_by_collection() -> None:
    bundle = grep.GrepBundle()
    aim = r.aim("KM9001", "telle til ti", "KV9001", "TST01-01")
    del aim["grep-type"]
    grep.parse_document({"kompetansemaal-lk20": [aim]}, bundle, source="dump.json")

    assert list(bundle.aims) == ["KM9001"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"grep-type": r.ONTOLOGY + "kompetansemaal_lk20", "tittel": r.tekst("x")}, "record has no 'kode'"),
        ({"kode": "KM1", "grep-type": r.ONTOLOGY + "kompetansemaal_lk20"}, "has no text"),
        ({"kode": "KM1", "grep-type": r.ONTOLOGY + "kompetansemaal_lk20", "tittel": 5}, "expected a text"),
        ({"hello": "world"}, "not a Grep record"),
        ("text", "expected a JSON object or list"),
    ],
)
def test_it_names_the_file_and_the_problem_in_format_errors(document: object, message: str) -> None:
    with pytest.raises(grep.GrepFormatError) as excinfo:
        grep.parse_document(document, grep.GrepBundle(), source="some/file.json")

    assert "some/file.json" in str(excinfo.value)
    assert message in str(excinfo.value)


def test_it_reports_invalid_json_with_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"kode": "KM1",\n  "tittel": }', encoding="utf-8")

    with pytest.raises(grep.GrepFormatError, match=r"broken.json: not valid JSON: .* \(line 2, column 13\)"):
        grep.load_path(tmp_path)
