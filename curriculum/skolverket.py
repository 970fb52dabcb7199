"""Import Swedish syllabuses from Skolverket's Syllabus API into the curriculum models.

Skolverket publishes each subject (``GRGRMAT01`` "Matematik") at
``https://api.skolverket.se/syllabus/v1/subjects/{code}`` as
``{"subject": {"code", "name", "schoolType", "centralContents": [{"year", "text"}],
"knowledgeRequirements": [{"gradeStep", "year", "text"}], "validFrom", ...}}``;
``/subjects`` lists them as ``{"subjects": [{"code", "name", ...}]}``.

The same tables as Udir's Grep hold it, mapped like this (Swedish texts are
stored under the language key ``swe``):

* subject -> :class:`~curriculum.models.Curriculum`, code ``GRGRMAT01``, URI
  ``https://api.skolverket.se/syllabus/v1/subjects/GRGRMAT01``;
* central content of one year band (``"1-3"``) -> :class:`CompetenceAimSet`
  ``GRGRMAT01/1-3`` with ``year_levels`` ``[1, 2, 3]``;
* each ``<li>`` of that band's HTML -> :class:`CompetenceAim`
  ``GRGRMAT01/1-3/1``, ``/2`` ... in order;
* knowledge requirements at the end of one year (``"6"``) -> aim set
  ``GRGRMAT01/krav-6`` (``year_levels`` ``[6]``), one aim per grade step:
  ``GRGRMAT01/krav-6/E``, ``/C``, ``/A``.

Parsing builds a :class:`~curriculum.grep.GrepBundle`, and
:func:`curriculum.grep.import_bundle` writes it, so importing is idempotent
and whatever a subject no longer contains is marked expired, exactly as for
Grep. Item codes are positional: Skolverket gives content items no identity
of their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import grep
from .grep import AimData, AimSetData, CurriculumData, GrepBundle, GrepFormatError, ImportResult
from .models import CompetenceAim, CompetenceAimSet, Curriculum, GrepStatus

DEFAULT_API_URL = "https://api.skolverket.se/syllabus/v1"
SUBJECT_URI = DEFAULT_API_URL + "/subjects/{code}"
LANGUAGE = "swe"
GRADE_ORDER = {"E": 1, "D": 2, "C": 3, "B": 4, "A": 5}


class SkolverketClient(grep.GrepClient):
    """:class:`~curriculum.grep.GrepClient` (timeouts, retries, one-line errors) for Skolverket."""

    service = "Skolverket's Syllabus API"
    offline_hint = "import downloaded subject files with --dir"

    def __init__(self, base_url: str = DEFAULT_API_URL, **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)


# --------------------------------------------------------------------------
# HTML -> items
# --------------------------------------------------------------------------


class _ItemParser(HTMLParser):
    """Collects the text of each ``<li>`` (innermost wins), and all text as paragraphs."""

    BLOCKS = {"p", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "br", "div"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[str] = []
        self._open: list[list[str]] = []
        self.paragraphs: list[str] = [""]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "li":
            self._open.append([])
        if tag in self.BLOCKS:
            self.paragraphs.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self._open:
            self._close_item()
        if tag in self.BLOCKS:
            self.paragraphs.append("")

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].append(data)
        self.paragraphs[-1] += data

    def _close_item(self) -> None:
        text = grep.clean_text("".join(self._open.pop()))
        if text:
            self.items.append(text)

    def close(self) -> None:
        super().close()
        while self._open:  # unclosed <li>
            self._close_item()


def html_items(value: str) -> list[str]:
    """The ``<li>`` texts of a central-content HTML block; without a list, its paragraphs."""
    parser = _ItemParser()
    parser.feed(value)
    parser.close()
    if parser.items:
        return parser.items
    return [text for text in (grep.clean_text(p) for p in parser.paragraphs) if text]


def html_text(value: str) -> str:
    """Plain text of an HTML block, one paragraph per line."""
    return "\n".join(html_items(value))


def year_levels(year: str) -> list[int]:
    """``"1-3"`` -> ``[1, 2, 3]``, ``"6"`` -> ``[6]``, anything else -> ``[]``."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:[-–]\s*(\d+))?\s*", year)
    if not match:
        return []
    first, last = int(match[1]), int(match[2] or match[1])
    return list(range(first, last + 1)) if first <= last else []


# --------------------------------------------------------------------------
# JSON -> bundle
# --------------------------------------------------------------------------


def _string(record: dict[str, Any], key: str, source: str, *, required: bool = False) -> str:
    value = record.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise GrepFormatError(f"{source}: {key!r} must be a {'non-empty ' if required else ''}string")
    return value.strip()


def _entries(subject: dict[str, Any], key: str, source: str) -> list[dict[str, Any]]:
    value = subject.get(key) or []
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise GrepFormatError(f"{source}: {key!r} must be a list of objects")
    return value


def parse_subject(document: Any, bundle: GrepBundle, *, source: str) -> None:
    """Add one ``{"subject": {...}}`` document (or the bare subject) to ``bundle``."""
    subject = document.get("subject", document) if isinstance(document, dict) else None
    if not isinstance(subject, dict) or "code" not in subject:
        raise GrepFormatError(f'{source}: not a Skolverket subject (expected {{"subject": {{"code": ...}}}})')
    code = _string(subject, "code", source, required=True)
    source = f"{source} ({code})"
    name = _string(subject, "name", source, required=True)
    curriculum = CurriculumData(
        code=code,
        uri=SUBJECT_URI.format(code=code),
        title=name,
        titles={LANGUAGE: name},
        short_title=name,
        valid_from=grep.date_from(subject.get("validFrom")),
        valid_to=grep.date_from(subject.get("validTo")),
        aim_set_codes=[],
        complete=True,
    )

    def add_set(set_code: str, title: str, years: list[int], year: str, texts: list[tuple[str, str]]) -> None:
        assert curriculum.aim_set_codes is not None
        curriculum.aim_set_codes.append(set_code)
        aim_codes = [f"{set_code}/{suffix}" for suffix, _text in texts]
        bundle.add(
            AimSetData(
                code=set_code,
                uri=f"{curriculum.uri}#{set_code.split('/', 1)[1]}",
                title=title,
                titles={LANGUAGE: title},
                curriculum_code=code,
                year_levels=years,
                year_level_codes=[year],
                sort_order=len(curriculum.aim_set_codes),
                aim_codes=aim_codes,
            )
        )
        for order, (aim_code, (_suffix, text)) in enumerate(zip(aim_codes, texts, strict=True), start=1):
            bundle.add(
                AimData(
                    code=aim_code,
                    uri=f"{curriculum.uri}#{aim_code.split('/', 1)[1]}",
                    text=text,
                    texts={LANGUAGE: text},
                    curriculum_code=code,
                    aim_set_code=set_code,
                    sort_order=order,
                )
            )

    for entry in _entries(subject, "centralContents", source):
        year = _string(entry, "year", source, required=True)
        items = html_items(_string(entry, "text", source))
        add_set(
            f"{code}/{year}",
            f"Centralt innehåll i årskurs {year}",
            year_levels(year),
            year,
            [(str(n), text) for n, text in enumerate(items, start=1)],
        )

    requirements: dict[str, list[tuple[str, str]]] = {}
    for entry in _entries(subject, "knowledgeRequirements", source):
        year = _string(entry, "year", source, required=True)
        step = _string(entry, "gradeStep", source, required=True)
        text = html_text(_string(entry, "text", source))
        if text:
            requirements.setdefault(year, []).append((step, text))
    for year, steps in requirements.items():
        steps.sort(key=lambda step: GRADE_ORDER.get(step[0], 99))
        add_set(f"{code}/krav-{year}", f"Kunskapskrav i slutet av årskurs {year}", year_levels(year), year, steps)

    bundle.add(curriculum)
    bundle.documents += 1


def _decode(raw: bytes, source: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GrepFormatError(f"{source}: not valid JSON ({exc})") from None


def load_dir(path: Path | str, bundle: GrepBundle | None = None) -> GrepBundle:
    """Read every ``*.json`` subject file under ``path`` (a listing, ``{"subjects": [...]}``, is skipped)."""
    bundle = bundle if bundle is not None else GrepBundle()
    path = Path(path)
    files = sorted(p for p in path.rglob("*.json") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise GrepFormatError(f"{file}: cannot be read ({exc.strerror})") from None
        document = _decode(raw, str(file))
        if isinstance(document, dict) and isinstance(document.get("subjects"), list):
            continue
        parse_subject(document, bundle, source=str(file))
    return bundle


def fetch_bundle(
    client: SkolverketClient, *, subject_codes: Iterable[str] = (), progress: grep.ProgressCallback | None = None
) -> GrepBundle:
    """Fetch the listed subjects (all of them when ``subject_codes`` is empty)."""
    codes = list(subject_codes)
    if not codes:
        for entry in client.get_list("subjects"):
            code = entry.get("code") if isinstance(entry, dict) else None
            if not isinstance(code, str) or not code:
                raise grep.GrepFetchError(f"{client.url('subjects')}: a listed subject has no code")
            codes.append(code)
    bundle = GrepBundle()
    for done, code in enumerate(codes, start=1):
        url = client.url(f"subjects/{code}")
        parse_subject(client.get_json(url), bundle, source=url)
        if progress:
            progress("fetching subjects", done, len(codes))
    return bundle


# --------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------


@transaction.atomic
def import_bundle(bundle: GrepBundle, *, complete: bool = False) -> ImportResult:
    """Upsert ``bundle`` with Grep's importer.

    With ``complete`` (the bundle holds every subject of the source), Skolverket
    subjects it no longer contains are expired, with their aim sets and aims.
    """
    if not len(bundle):
        raise GrepFormatError("found no Skolverket subjects to import")
    result = grep.import_bundle(bundle)
    if complete:
        now = timezone.now()
        published, expired = GrepStatus.PUBLISHED, GrepStatus.EXPIRED
        gone = Curriculum.objects.filter(uri__startswith=SUBJECT_URI.format(code=""), status=published).exclude(
            code__in=list(bundle.curricula)
        )
        gone_ids = list(gone.values_list("pk", flat=True))
        result.counts["curricula"].expired += gone.update(status=expired, updated_at=now)
        result.counts["aim_sets"].expired += CompetenceAimSet.objects.filter(
            curriculum_id__in=gone_ids, status=published
        ).update(status=expired, updated_at=now)
        result.counts["aims"].expired += CompetenceAim.objects.filter(
            curriculum_id__in=gone_ids, status=published
        ).update(status=expired, updated_at=now)
    return result


def import_dir(path: Path | str) -> ImportResult:
    """Import a folder of subject files; it is taken to be the whole source."""
    return import_bundle(load_dir(path), complete=True)
