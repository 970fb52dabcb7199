"""Import the curriculum from Udir's Grep: parse records, then upsert them.

Three layers, each usable on its own:

1. **Parsing** (pure functions, no database): :func:`parse_document` turns one
   JSON document into typed records and adds them to a :class:`GrepBundle`.
   It understands

   * Grep's REST JSON (``https://data.udir.no/kl06/v201906/...``), one record
     per document, or a list of them, or ``{"<type>": [records]}``;
   * Grep's JSON-LD (``"@context"``, ``"grepType"``, references as ``uriId``);
   * the simplified per-curriculum shape of ``shared/curriculum/lk20-subset``
     (``{"subject": {"code", "coreElements", "gradeBands": [...]}}``).

   :func:`load_path` reads a file, a folder (recursively) or a zip archive
   such as Grep's nightly dump (``/dump/json``: one folder per type, one file
   per record).
2. **Fetching**: :class:`GrepClient` and :func:`fetch_bundle` walk the live REST
   API (curricula -> aim sets -> aims, plus core elements) with timeouts,
   retries with backoff, and a one-line error when the API cannot be reached.
3. **Upserting**: :func:`import_bundle` writes a bundle in one transaction.
   Records are matched on their Grep code (then URI), so importing the same
   data twice changes nothing. What Grep marks expired (``status_utgaatt``),
   and what a complete listing no longer contains, is marked expired, never
   deleted; ``erstattes-av`` is recorded as ``replaced_by``.

Membership lists are authoritative: a curriculum that lists its aim sets, or an
aim set that lists its aims, expires the rows of ours it no longer lists.
Records that are only *referenced* (an aim names its curriculum by code and
title) become "stubs": they create a row when none exists but never overwrite
a row imported from a full record.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import html
import io
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from django.utils.html import strip_tags

from .models import CompetenceAim, CompetenceAimSet, CoreElement, Curriculum, GrepStatus, SubjectCode

DEFAULT_API_URL = "https://data.udir.no/kl06/v201906"
PSI_URI = "http://psi.udir.no/kl06/{code}"
DEMO_DATA_DIR = Path(__file__).resolve().parent / "demo_data"

#: Grep's languages, in the order we pick a display text.
TEXT_LANGUAGE_ORDER = ("nob", "default", "nno", "eng", "sme", "sma", "smj")
#: Language keys of the lk20-subset shape -> Grep language codes.
SUBSET_LANGUAGES = {"local": "nob", "en": "eng"}

#: Grep types we import (the last segment of ``grep-type``).
CURRICULUM_TYPE = "laereplan_lk20"
AIM_SET_TYPE = "kompetansemaalsett_lk20"
AIM_TYPE = "kompetansemaal_lk20"
CORE_ELEMENT_TYPE = "kjerneelement_lk20"
SUBJECT_CODE_TYPE = "fagkode"
TRAINING_SUBJECT_TYPE = "opplaeringsfag"
#: REST collection names per Grep type.
API_COLLECTIONS = {
    CURRICULUM_TYPE: "laereplaner-lk20",
    AIM_SET_TYPE: "kompetansemaalsett-lk20",
    AIM_TYPE: "kompetansemaal-lk20",
    CORE_ELEMENT_TYPE: "kjerneelementer-lk20",
}
#: Dump folder / list key -> Grep type, for records that do not say their type.
COLLECTION_TYPES = {collection: grep_type for grep_type, collection in API_COLLECTIONS.items()} | {
    "fagkoder": SUBJECT_CODE_TYPE,
    "opplaeringsfag": TRAINING_SUBJECT_TYPE,
}

#: Grep year-level codes -> our integer year levels (vg1 = 11 ... vg3 = 13).
YEAR_LEVEL_CODES: dict[str, int] = {f"aarstrinn{n}": n for n in range(1, 11)} | {
    "vg1": 11,
    "vg2": 12,
    "vg3": 13,
    "paabygning_generell_studiekompetanse": 13,
}

ProgressCallback = Callable[[str, int, int], None]


class GrepFormatError(ValueError):
    """Input that is not Grep data we understand; the message names the file and record."""


class GrepFetchError(RuntimeError):
    """The Grep API could not be read; the message is one line, fit for a terminal."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------
# Records, as parsed
# --------------------------------------------------------------------------


@dataclass
class CurriculumData:
    code: str
    uri: str = ""
    title: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    short_title: str = ""
    status: str = GrepStatus.PUBLISHED
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    replaces_codes: list[str] = field(default_factory=list)
    replaced_by_codes: list[str] = field(default_factory=list)
    #: Codes of its aim sets when the record lists them (authoritative), else None.
    aim_set_codes: list[str] | None = None
    #: True when the input holds the whole curriculum (every set and aim).
    complete: bool = False
    stub: bool = False


@dataclass
class CoreElementData:
    code: str
    uri: str = ""
    title: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    description: str = ""
    curriculum_code: str = ""
    sort_order: int | None = None
    status: str = GrepStatus.PUBLISHED
    stub: bool = False


@dataclass
class AimSetData:
    code: str
    uri: str = ""
    title: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    curriculum_code: str = ""
    year_levels: list[int] = field(default_factory=list)
    year_level_codes: list[str] = field(default_factory=list)
    sort_order: int | None = None
    status: str = GrepStatus.PUBLISHED
    #: Codes of its aims when the record lists them (authoritative), else None.
    aim_codes: list[str] | None = None
    stub: bool = False


@dataclass
class AimData:
    code: str
    uri: str = ""
    text: str = ""
    texts: dict[str, str] = field(default_factory=dict)
    curriculum_code: str = ""
    aim_set_code: str = ""
    #: None when the record does not say (leave the links as they are).
    core_element_codes: list[str] | None = None
    sort_order: int | None = None
    replaced_by_code: str = ""
    status: str = GrepStatus.PUBLISHED
    stub: bool = False


@dataclass
class SubjectCodeData:
    code: str
    uri: str = ""
    title: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    short_title: str = ""
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    status: str = GrepStatus.PUBLISHED
    stub: bool = False


Record = CurriculumData | CoreElementData | AimSetData | AimData | SubjectCodeData
R = TypeVar("R", CurriculumData, CoreElementData, AimSetData, AimData, SubjectCodeData)


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == {}


def merge_records(old: R, new: R) -> R:
    """Combine two parsed versions of one record (e.g. its REST and JSON-LD forms).

    A full record wins over a stub; between equals the later one wins. Fields
    the winner lacks are filled from the other; per-language texts are united.
    """
    if old.stub and not new.stub:
        winner, other = new, old
    elif new.stub and not old.stub:
        winner, other = old, new
    else:
        winner, other = new, old
    values: dict[str, Any] = {}
    for f in dataclasses.fields(winner):
        mine, theirs = getattr(winner, f.name), getattr(other, f.name)
        if isinstance(mine, dict) and isinstance(theirs, dict):
            values[f.name] = {**theirs, **mine}
        elif _is_empty(mine) and not _is_empty(theirs):
            values[f.name] = theirs
        else:
            values[f.name] = mine
    return dataclasses.replace(winner, **values)


@dataclass
class GrepBundle:
    """Everything read from one or more sources, keyed by Grep code."""

    curricula: dict[str, CurriculumData] = field(default_factory=dict)
    core_elements: dict[str, CoreElementData] = field(default_factory=dict)
    aim_sets: dict[str, AimSetData] = field(default_factory=dict)
    aims: dict[str, AimData] = field(default_factory=dict)
    subject_codes: dict[str, SubjectCodeData] = field(default_factory=dict)
    #: (fagkode, læreplan) pairs from opplaeringsfag records.
    subject_links: set[tuple[str, str]] = field(default_factory=set)
    #: Records we read but do not import, per Grep type.
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    documents: int = 0

    def add(self, record: Record) -> None:
        target: dict[str, Any]
        if isinstance(record, CurriculumData):
            target = self.curricula
        elif isinstance(record, CoreElementData):
            target = self.core_elements
        elif isinstance(record, AimSetData):
            target = self.aim_sets
        elif isinstance(record, AimData):
            target = self.aims
        else:
            target = self.subject_codes
        existing = target.get(record.code)
        merged: Any = record if existing is None else merge_records(existing, record)  # type: ignore[type-var]
        target[record.code] = merged

    def __len__(self) -> int:
        return sum(len(d) for d in (self.curricula, self.core_elements, self.aim_sets, self.aims, self.subject_codes))


# --------------------------------------------------------------------------
# Small pure helpers for Grep's shapes
# --------------------------------------------------------------------------


def code_from_uri(uri: str) -> str:
    """``http://psi.udir.no/kl06/KV116`` -> ``KV116``."""
    return re.split(r"[/#]", uri.strip().rstrip("/"))[-1]


def clean_text(value: str) -> str:
    """Collapse whitespace (including no-break spaces) to single spaces."""
    return " ".join(value.split())


def clean_html(value: str) -> str:
    """Grep's descriptions are HTML with entities; keep the words and paragraphs."""
    value = re.sub(r"(?i)<br\s*/?>|</p>|</li>", "\n", value)
    text = html.unescape(strip_tags(value))
    return "\n".join(line for line in (clean_text(line) for line in text.splitlines()) if line)


def texts_from(value: Any) -> dict[str, str]:
    """Grep texts -> ``{language: text}``.

    Accepts REST ``{"tekst": [{"spraak", "verdi"}]}``, JSON-LD's bare list of
    ``{"spraak", "verdi"}``, a ``{language: text}`` dict, or a plain string
    (which becomes the ``default`` text).
    """
    if value is None:
        return {}
    if isinstance(value, str):
        return {"default": clean_text(value)} if value.strip() else {}
    if isinstance(value, dict) and "tekst" in value:
        return texts_from(value["tekst"])
    if isinstance(value, dict):
        return {str(k): clean_text(v) for k, v in value.items() if isinstance(v, str) and v.strip()}
    if isinstance(value, list):
        texts: dict[str, str] = {}
        for item in value:
            if not isinstance(item, dict) or "verdi" not in item:
                raise GrepFormatError(f"text entry {item!r} has no 'verdi'")
            verdi = item.get("verdi")
            if isinstance(verdi, str) and verdi.strip():
                texts[str(item.get("spraak") or "default")] = clean_text(verdi)
        return texts
    raise GrepFormatError(f"expected a text, got {type(value).__name__}")


def pick_text(texts: dict[str, str]) -> str:
    """The bokmål text, else Grep's default, else any."""
    for language in TEXT_LANGUAGE_ORDER:
        if texts.get(language):
            return texts[language]
    return next(iter(texts.values()), "")


def ref_code(ref: Any) -> str:
    """The code a Grep reference points to, in any of its shapes, or ``""``."""
    if ref is None:
        return ""
    if isinstance(ref, str):
        return code_from_uri(ref) if "/" in ref else ref.strip()
    if isinstance(ref, dict):
        if "referanse" in ref:
            return ref_code(ref["referanse"])
        if ref.get("kode"):
            return str(ref["kode"]).strip()
        for key in ("uriId", "uri", "@id", "url-data"):
            if ref.get(key):
                return code_from_uri(str(ref[key]))
        return ""
    raise GrepFormatError(f"expected a reference, got {type(ref).__name__}")


def refs(value: Any) -> list[Any]:
    """A reference field as a list (Grep uses both a single object and a list)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def ref_codes(value: Any) -> list[str]:
    return [code for code in (ref_code(r) for r in refs(value)) if code]


def ref_title(ref: Any) -> str:
    """The title a REST reference carries (a plain string), or ``""``."""
    if isinstance(ref, dict):
        if "referanse" in ref:
            return ref_title(ref["referanse"])
        return pick_text(texts_from(ref.get("tittel")))
    return ""


def status_from(value: Any) -> str:
    """``.../status/status_publisert`` -> published; ``status_utgaatt``/``ugyldig`` -> expired."""
    if not value:
        return GrepStatus.PUBLISHED
    text = (ref_code(value) if isinstance(value, dict) else str(value)).lower()
    if "utgaatt" in text or "ugyldig" in text or text in {"expired", "utgått"}:
        return GrepStatus.EXPIRED
    return GrepStatus.PUBLISHED


def date_from(value: Any) -> datetime.date | None:
    """``"2020-08-01T00:00:00"`` (or ``{"dato": ...}``) -> a date; None when absent."""
    if isinstance(value, dict):
        value = value.get("dato")
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise GrepFormatError(f"{value!r} is not a date") from None


def year_level_from_code(code: str) -> int | None:
    return YEAR_LEVEL_CODES.get(code.strip().lower())


def year_level_code(level: int) -> str:
    return f"vg{level - 10}" if level > 10 else f"aarstrinn{level}"


def year_levels_from_title(title: str) -> list[int]:
    """Fallback for references without ``etter-aarstrinn``: "… 4. trinn" -> [4], "… Vg2 …" -> [12]."""
    levels = {int(n) for n in re.findall(r"(\d{1,2})\.\s*(?:års)?trinn", title, flags=re.IGNORECASE)}
    levels |= {10 + int(n) for n in re.findall(r"\bvg\s*([1-3])\b", title, flags=re.IGNORECASE)}
    if re.search(r"påbygging", title, flags=re.IGNORECASE):
        levels.add(13)
    return sorted(level for level in levels if 1 <= level <= 13)


def _int_or_none(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _uri(record: dict[str, Any]) -> str:
    return str(record.get("uri") or record.get("uriId") or "").strip()


def grep_type_of(record: dict[str, Any]) -> str:
    """``http://psi.udir.no/ontologi/kl06/laereplan_lk20`` -> ``laereplan_lk20``."""
    value = record.get("grep-type") or record.get("grepType") or ""
    return code_from_uri(str(value)) if value else ""


# --------------------------------------------------------------------------
# Parsing records
# --------------------------------------------------------------------------


def _require_code(record: dict[str, Any]) -> str:
    code = record.get("kode")
    if not isinstance(code, str) or not code.strip():
        raise GrepFormatError("record has no 'kode'")
    return code.strip()


def parse_curriculum(record: dict[str, Any]) -> list[Record]:
    """A læreplan (REST or JSON-LD) -> the curriculum, plus stubs of the sets and core elements it lists."""
    code = _require_code(record)
    titles = texts_from(record.get("tittel"))
    short = texts_from(record.get("kortform"))
    period = record.get("gyldighetsperiode") or {}
    curriculum = CurriculumData(
        code=code,
        uri=_uri(record),
        title=pick_text(titles) or code,
        titles=titles,
        short_title=pick_text(short),
        status=status_from(record.get("status")),
        valid_from=date_from(period.get("gyldig-fra") if period else record.get("gyldig-fra")),
        valid_to=date_from(period.get("gyldig-til") if period else record.get("gyldig-til")),
        replaces_codes=ref_codes(record.get("erstatter")),
        replaced_by_codes=ref_codes(record.get("erstattes-av")),
    )
    records: list[Record] = [curriculum]

    chapter = record.get("kompetansemaal-kapittel")
    set_refs = chapter.get("kompetansemaalsett") if isinstance(chapter, dict) else record.get("kompetansemaalsett")
    if set_refs is not None:
        curriculum.aim_set_codes = ref_codes(set_refs)
        for position, ref in enumerate(refs(set_refs), start=1):
            title = ref_title(ref)
            if not title:
                continue  # JSON-LD lists codes only; the set's own record says the rest
            levels = year_levels_from_title(title)
            records.append(
                AimSetData(
                    code=ref_code(ref),
                    uri=_uri(ref),
                    title=title,
                    titles={"default": title},
                    curriculum_code=code,
                    year_levels=levels,
                    year_level_codes=[year_level_code(level) for level in levels],
                    sort_order=position,
                    status=status_from(ref.get("status")),
                    stub=True,
                )
            )

    about = record.get("om-faget-kapittel")
    if isinstance(about, dict):
        core_refs = (about.get("kjerneelementer-i-faget") or {}).get("kjerneelementer")
    else:
        core_refs = record.get("kjerneelementer")
    for position, ref in enumerate(refs(core_refs), start=1):
        title = ref_title(ref)
        if title:
            records.append(
                CoreElementData(
                    code=ref_code(ref),
                    uri=_uri(ref),
                    title=title,
                    titles={"default": title},
                    curriculum_code=code,
                    sort_order=position,
                    status=status_from(ref.get("status")),
                    stub=True,
                )
            )
    return records


def parse_aim_set(record: dict[str, Any]) -> list[Record]:
    """A kompetansemålsett -> the set, plus stubs of its curriculum and of the aims it lists."""
    code = _require_code(record)
    titles = texts_from(record.get("tittel"))
    level_codes = ref_codes(record.get("etter-aarstrinn"))
    levels = sorted({level for level in map(year_level_from_code, level_codes) if level is not None})
    title = pick_text(titles) or code
    if not level_codes:
        levels = year_levels_from_title(title)
        level_codes = [year_level_code(level) for level in levels]
    curriculum_ref = record.get("tilhoerer-laereplan")
    aim_set = AimSetData(
        code=code,
        uri=_uri(record),
        title=title,
        titles=titles,
        curriculum_code=ref_code(curriculum_ref),
        year_levels=levels,
        year_level_codes=level_codes,
        sort_order=_int_or_none(record.get("rekkefoelge")),
        status=status_from(record.get("status")),
    )
    records: list[Record] = [aim_set]
    if curriculum_ref and ref_title(curriculum_ref):
        records.append(_curriculum_stub(curriculum_ref))
    if "kompetansemaal" in record:
        aim_set.aim_codes = ref_codes(record.get("kompetansemaal"))
        for position, ref in enumerate(refs(record.get("kompetansemaal")), start=1):
            text = ref_title(ref)
            if text:
                records.append(
                    AimData(
                        code=ref_code(ref),
                        uri=_uri(ref),
                        text=text,
                        texts={"default": text},
                        curriculum_code=aim_set.curriculum_code,
                        aim_set_code=code,
                        sort_order=_int_or_none(ref.get("rekkefoelge")) or position,
                        status=status_from(ref.get("status")),
                        stub=True,
                    )
                )
    return records


def _curriculum_stub(ref: Any) -> CurriculumData:
    title = ref_title(ref)
    return CurriculumData(
        code=ref_code(ref),
        uri=_uri(ref) if isinstance(ref, dict) else "",
        title=title,
        titles={"default": title},
        status=status_from(ref.get("status") if isinstance(ref, dict) else None),
        stub=True,
    )


def parse_aim(record: dict[str, Any]) -> list[Record]:
    """A kompetansemål -> the aim, plus stubs of its curriculum, set and core elements."""
    code = _require_code(record)
    texts = texts_from(record.get("tittel"))
    if not texts:
        raise GrepFormatError("competence aim has no text ('tittel')")
    curriculum_ref = record.get("tilhoerer-laereplan")
    set_ref = record.get("tilhoerer-kompetansemaalsett")
    core_field = record.get("tilknyttede-kjerneelementer")
    replaced_by = ref_codes(record.get("erstattes-av"))
    aim = AimData(
        code=code,
        uri=_uri(record),
        text=pick_text(texts),
        texts=texts,
        curriculum_code=ref_code(curriculum_ref),
        aim_set_code=ref_code(set_ref),
        core_element_codes=ref_codes(core_field) if core_field is not None else None,
        sort_order=_int_or_none(record.get("rekkefoelge")),
        replaced_by_code=replaced_by[0] if replaced_by else "",
        status=status_from(record.get("status")),
    )
    records: list[Record] = [aim]
    if curriculum_ref and ref_title(curriculum_ref):
        records.append(_curriculum_stub(curriculum_ref))
    if set_ref and ref_title(set_ref):
        set_title = ref_title(set_ref)
        levels = year_levels_from_title(set_title)
        records.append(
            AimSetData(
                code=aim.aim_set_code,
                uri=_uri(set_ref) if isinstance(set_ref, dict) else "",
                title=set_title,
                titles={"default": set_title},
                curriculum_code=aim.curriculum_code,
                year_levels=levels,
                year_level_codes=[year_level_code(level) for level in levels],
                stub=True,
            )
        )
    for ref in refs(core_field):
        title = ref_title(ref)
        if title:
            records.append(
                CoreElementData(
                    code=ref_code(ref),
                    uri=_uri(ref.get("referanse", ref)),
                    title=title,
                    titles={"default": title},
                    curriculum_code=aim.curriculum_code,
                    stub=True,
                )
            )
    return records


def parse_core_element(record: dict[str, Any]) -> list[Record]:
    code = _require_code(record)
    titles = texts_from(record.get("tittel"))
    description = texts_from(record.get("beskrivelse"))
    return [
        CoreElementData(
            code=code,
            uri=_uri(record),
            title=pick_text(titles) or code,
            titles=titles,
            description=clean_html(pick_text(description)),
            curriculum_code=ref_code(record.get("tilhoerer-laereplan")),
            sort_order=_int_or_none(record.get("rekkefoelge")),
            status=status_from(record.get("status")),
        )
    ]


def parse_subject_code(record: dict[str, Any]) -> list[Record]:
    code = _require_code(record)
    titles = texts_from(record.get("tittel"))
    period = record.get("gyldighetsperiode") or {}
    return [
        SubjectCodeData(
            code=code,
            uri=_uri(record),
            title=pick_text(titles) or code,
            titles=titles,
            short_title=pick_text(texts_from(record.get("kortform"))),
            valid_from=date_from(period.get("gyldig-fra") if period else record.get("gyldig-fra")),
            valid_to=date_from(period.get("gyldig-til") if period else record.get("gyldig-til")),
            status=status_from(record.get("status")),
        )
    ]


PARSERS: dict[str, Callable[[dict[str, Any]], list[Record]]] = {
    CURRICULUM_TYPE: parse_curriculum,
    AIM_SET_TYPE: parse_aim_set,
    AIM_TYPE: parse_aim,
    CORE_ELEMENT_TYPE: parse_core_element,
    SUBJECT_CODE_TYPE: parse_subject_code,
}


def _subset_texts(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return texts_from(value)
    return {
        SUBSET_LANGUAGES.get(str(key), str(key)): clean_text(text)
        for key, text in value.items()
        if isinstance(text, str) and text.strip()
    }


def _subject_name(curriculum_title: str) -> str:
    """ "Læreplan i norsk" -> "Norsk" (the subset shape has no short form)."""
    name = re.sub(r"^læreplan (i|for)\s+", "", curriculum_title, flags=re.IGNORECASE).strip()
    return name[:1].upper() + name[1:] if name else ""


def parse_subset(document: dict[str, Any]) -> list[Record]:
    """The lk20-subset shape: one whole curriculum with its core elements, sets and aims.

    It carries no aim-set codes, so each grade band gets a stable code made of
    the curriculum code and its label ("NOR01-07/2-trinn"). Aims name their
    core elements by title; names are matched exactly, then loosely (the data
    mixes bokmål and nynorsk spellings).
    """
    subject = document["subject"]
    if not isinstance(subject, dict):
        raise GrepFormatError("'subject' is not an object")
    code = _require_code({"kode": subject.get("code")})
    titles = _subset_texts(subject.get("name"))
    title = pick_text(titles) or code
    set_codes: list[str] = []
    curriculum = CurriculumData(
        code=code,
        uri=PSI_URI.format(code=code),
        title=title,
        titles=titles,
        short_title=_subject_name(title),
        aim_set_codes=set_codes,
        complete=True,
    )
    records: list[Record] = [curriculum]

    core_by_name: dict[str, str] = {}
    for position, element in enumerate(subject.get("coreElements") or [], start=1):
        element_code = _require_code({"kode": element.get("code")})
        element_titles = _subset_texts(element.get("name"))
        element_title = pick_text(element_titles) or element_code
        core_by_name[element_title.casefold()] = element_code
        records.append(
            CoreElementData(
                code=element_code,
                uri=PSI_URI.format(code=element_code),
                title=element_title,
                titles=element_titles,
                description=pick_text(_subset_texts(element.get("description"))),
                curriculum_code=code,
                sort_order=position,
            )
        )

    def core_code(name: str) -> str | None:
        key = clean_text(name).casefold()
        if key in core_by_name:
            return core_by_name[key]
        close = difflib.get_close_matches(key, list(core_by_name), n=1, cutoff=0.75)
        return core_by_name[close[0]] if close else None

    seen_set_codes: set[str] = set()
    for band_position, band in enumerate(subject.get("gradeBands") or [], start=1):
        level = _int_or_none(band.get("afterGrade"))
        if level is None or not 1 <= level <= 13:
            raise GrepFormatError(f"grade band {band_position} has no valid 'afterGrade'")
        band_titles = _subset_texts(band.get("label"))
        band_title = pick_text(band_titles) or f"{level}"
        slug = re.sub(r"[^0-9a-z]+", "-", re.sub(r"(?i)^kompetansemål og vurdering", "", band_title).lower())
        set_code = f"{code}/{slug.strip('-') or level}"
        if set_code in seen_set_codes:
            set_code = f"{set_code}-{band_position}"
        seen_set_codes.add(set_code)
        aim_codes: list[str] = []
        records.append(
            AimSetData(
                code=set_code,
                title=band_title,
                titles=band_titles,
                curriculum_code=code,
                year_levels=[level],
                year_level_codes=[year_level_code(level)],
                sort_order=band_position,
                aim_codes=aim_codes,
            )
        )
        set_codes.append(set_code)
        for position, goal in enumerate(band.get("competenceGoals") or [], start=1):
            aim_code = _require_code({"kode": goal.get("code")})
            texts = _subset_texts(goal.get("text"))
            if not texts:
                raise GrepFormatError(f"competence aim {aim_code} has no text")
            codes = []
            for name in goal.get("coreElements") or []:
                found = core_code(name)
                if found and found not in codes:
                    codes.append(found)
            aim_codes.append(aim_code)
            records.append(
                AimData(
                    code=aim_code,
                    uri=PSI_URI.format(code=aim_code),
                    text=pick_text(texts),
                    texts=texts,
                    curriculum_code=code,
                    aim_set_code=set_code,
                    core_element_codes=codes,
                    sort_order=position,
                )
            )
    return records


def _is_subset_metadata(document: dict[str, Any]) -> bool:
    return "subjects" in document and "system" in document and "subject" not in document


def parse_document(document: Any, bundle: GrepBundle, *, source: str, type_hint: str = "") -> None:
    """Add every record of one JSON document to ``bundle``.

    ``type_hint`` is the Grep type implied by where the document was found
    (a dump folder such as ``kompetansemaal-lk20``), for records that do not
    state their ``grep-type``. Raises :class:`GrepFormatError` naming
    ``source`` (and the record) on input we cannot read.
    """
    bundle.documents += 1
    if isinstance(document, list):
        for position, item in enumerate(document, start=1):
            _parse_record(item, bundle, source=f"{source} [item {position}]", type_hint=type_hint)
        return
    if not isinstance(document, dict):
        raise GrepFormatError(f"{source}: expected a JSON object or list, got {type(document).__name__}")
    if isinstance(document.get("subject"), dict) and "gradeBands" in document["subject"]:
        try:
            records = parse_subset(document)
        except GrepFormatError as exc:
            raise GrepFormatError(f"{source}: {exc}") from None
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise GrepFormatError(f"{source}: unexpected structure in curriculum file ({exc!r})") from None
        for record in records:
            bundle.add(record)
        return
    if _is_subset_metadata(document):
        bundle.skipped["metadata"] += 1
        return
    if "kode" not in document and "grep-type" not in document and "grepType" not in document:
        # {"kompetansemaal-lk20": [...], ...}: records grouped by collection.
        groups = {key: value for key, value in document.items() if isinstance(value, list)}
        if groups and len(groups) == len(document):
            for key, items in groups.items():
                for position, item in enumerate(items, start=1):
                    _parse_record(
                        item,
                        bundle,
                        source=f"{source} [{key} item {position}]",
                        type_hint=COLLECTION_TYPES.get(key, type_hint),
                    )
            return
        raise GrepFormatError(f"{source}: not a Grep record (it has no 'kode' and no 'grep-type')")
    _parse_record(document, bundle, source=source, type_hint=type_hint)


def _parse_record(record: Any, bundle: GrepBundle, *, source: str, type_hint: str) -> None:
    if not isinstance(record, dict):
        raise GrepFormatError(f"{source}: expected a record (JSON object), got {type(record).__name__}")
    grep_type = grep_type_of(record) or type_hint
    if grep_type == TRAINING_SUBJECT_TYPE:
        for subject_code in ref_codes(record.get("fagkode-referanser")):
            for curriculum_code in ref_codes(record.get("laereplan-referanse")):
                bundle.subject_links.add((subject_code, curriculum_code))
        bundle.skipped[grep_type] += 1
        return
    parser = PARSERS.get(grep_type)
    if parser is None:
        bundle.skipped[grep_type or "unknown"] += 1
        return
    label = record.get("kode") or "without code"
    try:
        records = parser(record)
    except GrepFormatError as exc:
        raise GrepFormatError(f"{source}: {grep_type} record {label}: {exc}") from None
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise GrepFormatError(f"{source}: unexpected structure in {grep_type} record {label} ({exc!r})") from None
    for item in records:
        if item.code:
            bundle.add(item)


# --------------------------------------------------------------------------
# Reading files, folders and zip archives
# --------------------------------------------------------------------------

JSON_SUFFIXES = (".json", ".jsonld")


def _decode(raw: bytes, source: str) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GrepFormatError(f"{source}: not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise GrepFormatError(f"{source}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None


def _type_hint(parts: Iterable[str]) -> str:
    for part in reversed(list(parts)):
        if part in COLLECTION_TYPES:
            return COLLECTION_TYPES[part]
    return ""


def load_path(path: Path | str, bundle: GrepBundle | None = None) -> GrepBundle:
    """Read a JSON/JSON-LD file, a folder of them (recursively) or a zip archive."""
    bundle = bundle if bundle is not None else GrepBundle()
    path = Path(path)
    if not path.exists():
        raise GrepFormatError(f"{path}: no such file or folder")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in JSON_SUFFIXES)
        if not files:
            raise GrepFormatError(f"{path}: no .json or .jsonld files in this folder")
        for file in files:
            parse_document(
                _decode(file.read_bytes(), str(file)),
                bundle,
                source=str(file),
                type_hint=_type_hint(file.relative_to(path).parts[:-1]),
            )
    elif zipfile.is_zipfile(path):
        _load_zip(path.read_bytes(), bundle, source=str(path))
    else:
        parse_document(_decode(path.read_bytes(), str(path)), bundle, source=str(path))
    return bundle


def _load_zip(data: bytes, bundle: GrepBundle, *, source: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise GrepFormatError(f"{source}: not a readable zip archive ({exc})") from None
    with archive:
        names = sorted(n for n in archive.namelist() if n.lower().endswith(JSON_SUFFIXES))
        if not names:
            raise GrepFormatError(f"{source}: no .json or .jsonld files in this archive")
        for name in names:
            member_source = f"{source}:{name}"
            parse_document(
                _decode(archive.read(name), member_source),
                bundle,
                source=member_source,
                type_hint=_type_hint(name.split("/")[:-1]),
            )


# --------------------------------------------------------------------------
# The live API
# --------------------------------------------------------------------------

RETRY_STATUSES = {429, 500, 502, 503, 504}


class GrepClient:
    """A small JSON client for Grep's REST API (stdlib only).

    Timeouts on every request; retries with exponential backoff on network
    errors and on 429/5xx (honouring ``Retry-After``); errors as one-line
    :class:`GrepFetchError`. ``urlopen`` and ``sleep`` can be replaced in tests.
    Subclasses for other curriculum APIs set :attr:`service` and :attr:`offline_hint`.
    """

    service = "the Grep API"
    offline_hint = "import a downloaded copy with --dump or --dir"

    def __init__(
        self,
        base_url: str = DEFAULT_API_URL,
        *,
        timeout: float = 20.0,
        retries: int = 3,
        backoff: float = 0.5,
        urlopen: Callable[..., Any] = urllib.request.urlopen,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self._urlopen = urlopen
        self._sleep = sleep
        self.requests = 0

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def get_json(self, path_or_url: str) -> Any:
        url = self.url(path_or_url)
        if not url.startswith(("http://", "https://")):
            raise GrepFetchError(f"{url}: only http(s) URLs can be fetched")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url, headers={"Accept": "application/json", "User-Agent": "iop-curriculum-import/1"}
        )
        attempt = 0
        while True:
            self.requests += 1
            try:
                with self._urlopen(request, timeout=self.timeout) as response:
                    body = response.read()
                break
            except urllib.error.HTTPError as exc:
                if exc.code not in RETRY_STATUSES or attempt >= self.retries:
                    raise GrepFetchError(f"{url}: HTTP {exc.code} {exc.reason}", status=exc.code) from None
                delay = self._retry_after(exc) or self.backoff * 2**attempt
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                if attempt >= self.retries:
                    reason = getattr(exc, "reason", None) or exc
                    raise GrepFetchError(
                        f"Cannot reach {self.service} at {url} ({reason}). Check the network connection, "
                        f"or {self.offline_hint}."
                    ) from None
                delay = self.backoff * 2**attempt
            attempt += 1
            self._sleep(min(delay, 30.0))
        try:
            return json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise GrepFetchError(f"{url}: the answer is not JSON") from None

    @staticmethod
    def _retry_after(exc: urllib.error.HTTPError) -> float | None:
        value = exc.headers.get("Retry-After") if exc.headers else None
        try:
            return float(value) if value else None
        except ValueError:
            return None

    def get_list(self, path_or_url: str) -> list[dict[str, Any]]:
        """A Grep list (array of references). Follows ``next``/``neste`` links if a list is paged."""
        items: list[dict[str, Any]] = []
        url: str | None = self.url(path_or_url)
        seen: set[str] = set()
        while url and url not in seen:
            seen.add(url)
            page = self.get_json(url)
            if isinstance(page, list):
                items.extend(page)
                break
            if not isinstance(page, dict):
                raise GrepFetchError(f"{url}: expected a list")
            lists = [value for value in page.values() if isinstance(value, list)]
            if not lists:
                raise GrepFetchError(f"{url}: expected a list")
            items.extend(lists[0])
            next_link = page.get("next") or page.get("neste") or (page.get("links") or {}).get("next")
            url = urllib.parse.urljoin(url, next_link) if isinstance(next_link, str) and next_link else None
        return items


def _fetch_many(
    client: GrepClient,
    urls: list[tuple[str, str]],
    *,
    workers: int,
    bundle: GrepBundle,
    grep_type: str,
    progress: ProgressCallback | None,
    label: str,
) -> list[dict[str, Any]]:
    """Fetch ``(code, url)`` records concurrently; 404s become warnings, other failures abort."""
    results: list[dict[str, Any]] = []
    total = len(urls)

    def fetch(item: tuple[str, str]) -> tuple[str, Any, str | None]:
        code, url = item
        try:
            return code, client.get_json(url), None
        except GrepFetchError as exc:
            if exc.status == 404:
                return code, None, str(exc)
            raise

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for done, (code, record, problem) in enumerate(pool.map(fetch, urls), start=1):
            if problem:
                bundle.warnings.append(f"{code}: not found in the Grep API ({problem})")
            elif record is not None:
                parse_document(record, bundle, source=f"API {code}", type_hint=grep_type)
                if isinstance(record, dict):
                    results.append(record)
            if progress and (done % 50 == 0 or done == total):
                progress(label, done, total)
    return results


def _record_url(client: GrepClient, ref: Any, grep_type: str) -> tuple[str, str]:
    """Where to fetch a referenced record: built from the client's base URL, so ``--base-url`` holds throughout."""
    code = ref_code(ref)
    return code, client.url(f"{API_COLLECTIONS[grep_type]}/{urllib.parse.quote(code)}")


def fetch_bundle(
    client: GrepClient,
    *,
    curriculum_codes: Iterable[str] = (),
    workers: int = 8,
    progress: ProgressCallback | None = None,
) -> GrepBundle:
    """Walk the live API: curricula -> their aim sets -> their aims, plus core elements.

    Without ``curriculum_codes`` every LK20 curriculum in Grep is fetched
    (expired ones too, so expiry reaches us).
    """
    bundle = GrepBundle()
    wanted = [code.strip() for code in curriculum_codes if code.strip()]
    if wanted:
        curriculum_urls = [(code, client.url(f"{API_COLLECTIONS[CURRICULUM_TYPE]}/{code}")) for code in wanted]
    else:
        listing = client.get_list(API_COLLECTIONS[CURRICULUM_TYPE])
        curriculum_urls = [_record_url(client, ref, CURRICULUM_TYPE) for ref in listing if ref_code(ref)]
    curricula = _fetch_many(
        client,
        curriculum_urls,
        workers=workers,
        bundle=bundle,
        grep_type=CURRICULUM_TYPE,
        progress=progress,
        label="curricula",
    )
    if wanted and not curricula:
        raise GrepFetchError(f"None of the curricula {', '.join(wanted)} were found in the Grep API.")

    set_urls: list[tuple[str, str]] = []
    core_urls: list[tuple[str, str]] = []
    for record in curricula:
        chapter = record.get("kompetansemaal-kapittel") or {}
        set_urls += [_record_url(client, ref, AIM_SET_TYPE) for ref in refs(chapter.get("kompetansemaalsett"))]
        about = record.get("om-faget-kapittel") or {}
        core_refs = (about.get("kjerneelementer-i-faget") or {}).get("kjerneelementer")
        core_urls += [_record_url(client, ref, CORE_ELEMENT_TYPE) for ref in refs(core_refs)]
    aim_sets = _fetch_many(
        client, set_urls, workers=workers, bundle=bundle, grep_type=AIM_SET_TYPE, progress=progress, label="aim sets"
    )
    _fetch_many(
        client,
        core_urls,
        workers=workers,
        bundle=bundle,
        grep_type=CORE_ELEMENT_TYPE,
        progress=progress,
        label="core elements",
    )
    aim_urls = [_record_url(client, ref, AIM_TYPE) for record in aim_sets for ref in refs(record.get("kompetansemaal"))]
    _fetch_many(client, aim_urls, workers=workers, bundle=bundle, grep_type=AIM_TYPE, progress=progress, label="aims")
    return bundle


# --------------------------------------------------------------------------
# Writing: upsert a bundle
# --------------------------------------------------------------------------


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    expired: int = 0
    unchanged: int = 0


KINDS = {
    "curricula": "curricula",
    "core_elements": "core elements",
    "aim_sets": "competence aim sets",
    "aims": "competence aims",
    "subject_codes": "subject codes",
}


@dataclass
class ImportResult:
    counts: dict[str, KindCounts] = field(default_factory=lambda: {kind: KindCounts() for kind in KINDS})
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(c.created for c in self.counts.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.counts.values())

    @property
    def expired(self) -> int:
        return sum(c.expired for c in self.counts.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.counts.values())

    def summary_lines(self) -> list[str]:
        lines = [
            f"{label}: {c.created} new, {c.updated} updated, {c.expired} expired, {c.unchanged} unchanged"
            for kind, label in KINDS.items()
            if (c := self.counts[kind]).created + c.updated + c.expired + c.unchanged
        ]
        if self.skipped:
            skipped = ", ".join(f"{count} {name}" for name, count in sorted(self.skipped.items()))
            lines.append(f"Not imported (other Grep types): {skipped}")
        lines.append(f"Total: {self.created} new, {self.updated} updated, {self.expired} expired")
        return lines


M = TypeVar("M", bound=Model)

CURRICULUM_FIELDS = (
    "code",
    "uri",
    "title",
    "titles",
    "short_title",
    "status",
    "valid_from",
    "valid_to",
    "replaces_codes",
    "replaced_by_codes",
)
CORE_ELEMENT_FIELDS = ("code", "uri", "title", "titles", "description", "sort_order", "status")
AIM_SET_FIELDS = ("code", "uri", "title", "titles", "year_levels", "year_level_codes", "sort_order", "status")
AIM_FIELDS = ("code", "uri", "text", "texts", "sort_order", "replaced_by_code", "status")
#: Fields whose change alone is saved but not counted as an update (an aim moving up one place).
QUIET_FIELDS = {"sort_order"}
SUBJECT_CODE_FIELDS = ("code", "uri", "title", "titles", "short_title", "valid_from", "valid_to", "status")


def _existing(model: type[M], items: Iterable[Record]) -> dict[str, M]:
    """Rows matching the items' codes, or failing that their URIs, keyed by the items' codes."""
    items = list(items)
    codes = [item.code for item in items]
    by_code: dict[str, M] = {}
    for start in range(0, len(codes), 2000):
        for row in model._default_manager.filter(code__in=codes[start : start + 2000]):
            by_code[row.code] = row  # type: ignore[attr-defined]
    missing_uris = {item.uri: item.code for item in items if item.code not in by_code and item.uri}
    if missing_uris:
        claimed = {row.pk for row in by_code.values()}
        for row in model._default_manager.filter(uri__in=list(missing_uris)).exclude(pk__in=claimed):
            by_code[missing_uris[row.uri]] = row  # type: ignore[attr-defined]
    return by_code


def _apply(row: Model, values: dict[str, Any], counts: KindCounts, now: datetime.datetime, *, is_new: bool) -> bool:
    """Set ``values`` on ``row``; count it; True when it must be saved."""
    if is_new:
        for name, value in values.items():
            setattr(row, name, value)
        counts.created += 1
        return True
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    if not changed:
        counts.unchanged += 1
        return False
    was_published = getattr(row, "status", None) == GrepStatus.PUBLISHED
    for name, value in changed.items():
        setattr(row, name, value)
    if changed.keys() <= QUIET_FIELDS:
        counts.unchanged += 1  # saved, but a new position is not news
        return True
    row.updated_at = now  # type: ignore[attr-defined]
    if was_published and changed.get("status") == GrepStatus.EXPIRED:
        counts.expired += 1
    else:
        counts.updated += 1
    return True


def _save(model: type[M], new: list[M], changed: list[M], fields: list[str]) -> None:
    if new:
        model._default_manager.bulk_create(new, batch_size=1000)
    if changed:
        model._default_manager.bulk_update(changed, [*fields, "updated_at"], batch_size=1000)


def _ids(model: type[Model], codes: Iterable[str]) -> dict[str, int]:
    codes = list(set(codes))
    result: dict[str, int] = {}
    for start in range(0, len(codes), 2000):
        result.update(
            model._default_manager.filter(code__in=codes[start : start + 2000]).values_list("code", "pk")  # type: ignore[misc]
        )
    return result


def _resolve_references(bundle: GrepBundle) -> None:
    """Fill in curriculum codes a record left out but another record implies."""
    set_owner = {
        set_code: curriculum.code
        for curriculum in bundle.curricula.values()
        for set_code in curriculum.aim_set_codes or []
    }
    for aim_set in bundle.aim_sets.values():
        if not aim_set.curriculum_code:
            aim_set.curriculum_code = set_owner.get(aim_set.code, "")
    for aim in bundle.aims.values():
        if not aim.curriculum_code and aim.aim_set_code in bundle.aim_sets:
            aim.curriculum_code = bundle.aim_sets[aim.aim_set_code].curriculum_code
        if not aim.aim_set_code:
            aim.aim_set_code = next(
                (s.code for s in bundle.aim_sets.values() if s.aim_codes and aim.code in s.aim_codes), ""
            )
            if aim.aim_set_code and not aim.curriculum_code:
                aim.curriculum_code = bundle.aim_sets[aim.aim_set_code].curriculum_code


ValuesFor = Callable[[Any, Any], "dict[str, Any] | None"]


def _upsert(
    model: type[M],
    items: Iterable[Record],
    counts: KindCounts,
    now: datetime.datetime,
    values_for: ValuesFor,
    *,
    progress: ProgressCallback | None = None,
    label: str = "",
) -> tuple[list[M], list[M]]:
    """Create or update one row per item; ``values_for(item, row)`` gives the field values (None: skip).

    Stubs only create rows. Returns the new and the changed rows.
    """
    items = list(items)
    existing = _existing(model, items)
    new: list[M] = []
    changed: list[M] = []
    fields: list[str] = []
    total = len(items)
    for done, data in enumerate(items, start=1):
        if progress and (done % 1000 == 0 or done == total):
            progress(label, done, total)
        row = existing.get(data.code)
        if row is not None and data.stub:
            counts.unchanged += 1
            continue
        values = values_for(data, row)
        if values is None:
            continue
        fields = fields or list(values)
        if row is None:
            row = model()
            _apply(row, values, counts, now, is_new=True)
            new.append(row)
        elif _apply(row, values, counts, now, is_new=False):
            changed.append(row)
    _save(model, new, changed, fields)
    return new, changed


def _fields(data: Record, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(data, name) for name in names}


@transaction.atomic
def import_bundle(bundle: GrepBundle, *, progress: ProgressCallback | None = None) -> ImportResult:
    """Write ``bundle`` to the database in one transaction and report what changed."""
    result = ImportResult(skipped=Counter(bundle.skipped), warnings=list(bundle.warnings))
    counts = result.counts
    now = timezone.now()
    _resolve_references(bundle)

    def dated_values(data: CurriculumData | SubjectCodeData, fields: Iterable[str]) -> dict[str, Any]:
        if data.valid_from and data.valid_to and data.valid_from > data.valid_to:
            result.warnings.append(f"{data.code}: valid from {data.valid_from} is after valid to {data.valid_to}")
            data.valid_to = None
        return _fields(data, fields)

    def curriculum_values(data: CurriculumData, row: Curriculum | None) -> dict[str, Any]:
        return dated_values(data, CURRICULUM_FIELDS)

    _upsert(Curriculum, bundle.curricula.values(), counts["curricula"], now, curriculum_values)
    curriculum_ids = _ids(
        Curriculum,
        [c.curriculum_code for group in (bundle.core_elements, bundle.aim_sets, bundle.aims) for c in group.values()],
    )

    def element_values(data: CoreElementData, row: CoreElement | None) -> dict[str, Any]:
        curriculum_id = curriculum_ids.get(data.curriculum_code) or (row.curriculum_id if row else None)
        return _fields(data, CORE_ELEMENT_FIELDS) | {"curriculum_id": curriculum_id}

    _upsert(CoreElement, bundle.core_elements.values(), counts["core_elements"], now, element_values)

    def set_values(data: AimSetData, row: CompetenceAimSet | None) -> dict[str, Any] | None:
        curriculum_id = curriculum_ids.get(data.curriculum_code) or (row.curriculum_id if row else None)
        if curriculum_id is None:
            result.warnings.append(f"{data.code}: skipped, its curriculum is unknown")
            return None
        return _fields(data, AIM_SET_FIELDS) | {"curriculum_id": curriculum_id}

    _upsert(CompetenceAimSet, bundle.aim_sets.values(), counts["aim_sets"], now, set_values)

    set_ids = _ids(CompetenceAimSet, [a.aim_set_code for a in bundle.aims.values()])
    set_curricula = dict(
        CompetenceAimSet.objects.filter(pk__in=set(set_ids.values())).values_list("pk", "curriculum_id")
    )
    element_ids = _ids(CoreElement, [code for a in bundle.aims.values() for code in a.core_element_codes or []])
    wanted_links: dict[str, set[int]] = {}

    def aim_values(data: AimData, row: CompetenceAim | None) -> dict[str, Any] | None:
        set_id = set_ids.get(data.aim_set_code) or (row.aim_set_id if row else None)
        if set_id is None:
            result.warnings.append(f"{data.code}: skipped, its competence aim set is unknown")
            return None
        if data.core_element_codes is not None:
            unknown = [code for code in data.core_element_codes if code not in element_ids]
            if unknown:
                result.warnings.append(f"{data.code}: unknown core elements {', '.join(unknown)}")
            wanted_links[data.code] = {element_ids[c] for c in data.core_element_codes if c in element_ids}
        curriculum_id = set_curricula.get(set_id) or curriculum_ids.get(data.curriculum_code)
        return _fields(data, AIM_FIELDS) | {"aim_set_id": set_id, "curriculum_id": curriculum_id}

    new_aims, changed_aims = _upsert(
        CompetenceAim, bundle.aims.values(), counts["aims"], now, aim_values, progress=progress, label="writing aims"
    )
    counted = {a.code for a in new_aims} | {a.code for a in changed_aims}
    _sync_core_elements(wanted_links, counts["aims"], counted, now)

    _upsert(
        SubjectCode,
        bundle.subject_codes.values(),
        counts["subject_codes"],
        now,
        lambda data, row: dated_values(data, SUBJECT_CODE_FIELDS),
    )
    _link_subject_codes(bundle.subject_links)

    _expire_unlisted(bundle, result, now)
    _resolve_replacements()
    return result


def _sync_core_elements(
    wanted: dict[str, set[int]], counts: KindCounts, already_counted: set[str], now: datetime.datetime
) -> None:
    if not wanted:
        return
    through = CompetenceAim.core_elements.through
    aim_ids = _ids(CompetenceAim, wanted)
    current: dict[int, set[int]] = {pk: set() for pk in aim_ids.values()}
    pks = list(aim_ids.values())
    for start in range(0, len(pks), 2000):
        for aim_id, element_id in through.objects.filter(competenceaim_id__in=pks[start : start + 2000]).values_list(
            "competenceaim_id", "coreelement_id"
        ):
            current[aim_id].add(element_id)
    to_add: list[Any] = []
    to_remove: list[tuple[int, int]] = []
    touched: list[int] = []
    for code, element_ids in wanted.items():
        found = aim_ids.get(code)
        if found is None or current[found] == element_ids:
            continue
        aim_id = found
        to_add += [through(competenceaim_id=aim_id, coreelement_id=e) for e in element_ids - current[aim_id]]
        to_remove += [(aim_id, e) for e in current[aim_id] - element_ids]
        if code not in already_counted:
            touched.append(aim_id)
    if to_remove:
        condition = Q()
        for aim_id, element_id in to_remove:
            condition |= Q(competenceaim_id=aim_id, coreelement_id=element_id)
        through.objects.filter(condition).delete()
    if to_add:
        through.objects.bulk_create(to_add, batch_size=1000)
    if touched:
        CompetenceAim.objects.filter(pk__in=touched).update(updated_at=now)
        counts.updated += len(touched)
        counts.unchanged -= len(touched)


def _link_subject_codes(links: set[tuple[str, str]]) -> None:
    if not links:
        return
    subject_ids = _ids(SubjectCode, [s for s, _c in links])
    curriculum_ids = _ids(Curriculum, [c for _s, c in links])
    through = SubjectCode.curricula.through
    wanted = {(subject_ids[s], curriculum_ids[c]) for s, c in links if s in subject_ids and c in curriculum_ids}
    if not wanted:
        return
    present = set(
        through.objects.filter(subjectcode_id__in={s for s, _c in wanted}).values_list(
            "subjectcode_id", "curriculum_id"
        )
    )
    through.objects.bulk_create([through(subjectcode_id=s, curriculum_id=c) for s, c in wanted - present])


def _expire_unlisted(bundle: GrepBundle, result: ImportResult, now: datetime.datetime) -> None:
    """Expire what an authoritative listing in the bundle no longer contains."""
    published = GrepStatus.PUBLISHED
    expired = GrepStatus.EXPIRED

    # Aim sets no longer listed by their (fully imported) curriculum.
    set_scope = Q(pk__in=[])
    for curriculum in bundle.curricula.values():
        if not curriculum.stub and curriculum.aim_set_codes is not None:
            set_scope |= Q(curriculum__code=curriculum.code) & ~Q(code__in=curriculum.aim_set_codes)
    stale_sets = CompetenceAimSet.objects.filter(set_scope, status=published)
    result.counts["aim_sets"].expired += stale_sets.update(status=expired, updated_at=now)

    # Aims no longer listed by their set or curriculum, and aims of expired sets.
    listed_aims = {code for code, aim in bundle.aims.items() if aim.status == published}
    aim_scope = Q(aim_set__status=expired, aim_set__code__in=list(bundle.aim_sets)) | Q(
        aim_set__in=CompetenceAimSet.objects.filter(set_scope)
    )
    for aim_set in bundle.aim_sets.values():
        if not aim_set.stub and aim_set.aim_codes is not None:
            aim_scope |= Q(aim_set__code=aim_set.code)
    for curriculum in bundle.curricula.values():
        if curriculum.complete:
            aim_scope |= Q(curriculum__code=curriculum.code)
    stale_aims = CompetenceAim.objects.filter(aim_scope, status=published).exclude(code__in=listed_aims)
    result.counts["aims"].expired += stale_aims.update(status=expired, updated_at=now)


def _resolve_replacements() -> None:
    """Point ``replaced_by`` at the aim named by ``replaced_by_code`` once both exist."""
    pending = list(
        CompetenceAim.objects.exclude(replaced_by_code="")
        .filter(Q(replaced_by__isnull=True) | ~Q(replaced_by__code=F("replaced_by_code")))
        .only("pk", "replaced_by_code", "replaced_by_id")
    )
    if not pending:
        return
    targets = _ids(CompetenceAim, [aim.replaced_by_code for aim in pending])
    changed = []
    for aim in pending:
        target = targets.get(aim.replaced_by_code)
        if target and target != aim.pk and aim.replaced_by_id != target:
            aim.replaced_by_id = target
            changed.append(aim)
    CompetenceAim.objects.bulk_update(changed, ["replaced_by"], batch_size=1000)
    # Links to aims that vanished from the code are cleared.
    CompetenceAim.objects.filter(replaced_by_code="", replaced_by__isnull=False).update(replaced_by=None)


# --------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------


def import_paths(paths: Iterable[Path | str], *, progress: ProgressCallback | None = None) -> ImportResult:
    """Read local files/folders/archives and import them."""
    bundle = GrepBundle()
    for path in paths:
        load_path(path, bundle)
    if not len(bundle):
        raise GrepFormatError("found no curriculum records to import")
    return import_bundle(bundle, progress=progress)


def import_demo(*, progress: ProgressCallback | None = None) -> ImportResult:
    """Import the project's own small demo curriculum (``curriculum/demo_data``).

    It goes through the same parser and upsert as real Grep data; its codes
    (``DEMO-NOR01``, ``KMDEMO1`` ...) never collide with Udir's.
    """
    return import_paths([DEMO_DATA_DIR], progress=progress)


def iter_records(bundle: GrepBundle) -> Iterator[Record]:
    """Every parsed record of a bundle (for inspection and tests)."""
    for group in (bundle.curricula, bundle.core_elements, bundle.aim_sets, bundle.aims, bundle.subject_codes):
        yield from group.values()
