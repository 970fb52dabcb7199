"""Small Grep records in the REST shape, with invented texts, for import tests."""

from __future__ import annotations

from typing import Any

PUBLISHED = "https://data.udir.no/kl06/v201906/status/status_publisert"
EXPIRED = "https://data.udir.no/kl06/v201906/status/status_utgaatt"
ONTOLOGY = "http://psi.udir.no/ontologi/kl06/"


def uri(code: str) -> str:
    return f"http://psi.udir.no/kl06/{code}"


def tekst(nob: str, **other: str) -> dict[str, Any]:
    return {
        "tekst": [{"spraak": "default", "verdi": nob}, {"spraak": "nob", "verdi": nob}]
        + [{"spraak": lang, "verdi": text} for lang, text in other.items()]
    }


def ref(code: str, title: str = "", kind: str = "") -> dict[str, Any]:
    return {"kode": code, "uri": uri(code), "tittel": title, "grep-type": ONTOLOGY + kind, "status": PUBLISHED}


def curriculum(code: str, title: str, sets: list[tuple[str, str]], *, status: str = PUBLISHED, **extra: Any) -> dict:
    return {
        "kode": code,
        "uri": uri(code),
        "tittel": tekst(title),
        "kortform": [{"spraak": "nob", "verdi": title.split()[-1].capitalize()}],
        "grep-type": ONTOLOGY + "laereplan_lk20",
        "status": status,
        "kompetansemaal-kapittel": {"kompetansemaalsett": [ref(c, t, "kompetansemaalsett_lk20") for c, t in sets]},
        **extra,
    }


def aim_set(code: str, curriculum_code: str, years: list[str], aims: list[str], **extra: Any) -> dict:
    return {
        "kode": code,
        "uri": uri(code),
        "tittel": tekst(f"Kompetansemål etter {years[0]}"),
        "grep-type": ONTOLOGY + "kompetansemaalsett_lk20",
        "status": PUBLISHED,
        "tilhoerer-laereplan": ref(curriculum_code, "Læreplan i testfag", "laereplan_lk20"),
        "etter-aarstrinn": [{"kode": year} for year in years],
        "kompetansemaal": [ref(a, "", "kompetansemaal_lk20") for a in aims],
        **extra,
    }


def aim(
    code: str,
    text: str,
    set_code: str,
    curriculum_code: str,
    *,
    status: str = PUBLISHED,
    replaced_by: str | None = None,
    core: tuple[str, ...] = (),
    **extra: Any,
) -> dict:
    return {
        "kode": code,
        "uri": uri(code),
        "tittel": tekst(text),
        "grep-type": ONTOLOGY + "kompetansemaal_lk20",
        "status": status,
        "tilhoerer-laereplan": ref(curriculum_code, "Læreplan i testfag", "laereplan_lk20"),
        "tilhoerer-kompetansemaalsett": ref(set_code, "Kompetansemål etter 4. trinn", "kompetansemaalsett_lk20"),
        "tilknyttede-kjerneelementer": [
            {"referanse": ref(c, f"Kjerneelement {c}", "kjerneelement_lk20")} for c in core
        ],
        "erstattes-av": [ref(replaced_by, "", "kompetansemaal_lk20")] if replaced_by else [],
        **extra,
    }
