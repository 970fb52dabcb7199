"""Reads of the curriculum. The data is public, so nothing here asks the access layer.

:func:`search_aims` is the competence-aim search of the goal picker. On
PostgreSQL it combines

* the aim code (``KM1234``, any case) -- exact hits first, then codes that
  start with what was typed;
* full-text search with Norwegian stemming over the stored
  ``CompetenceAim.search_vector`` (``to_tsvector('norwegian', text)``), each
  word as a prefix of its stem: "brøker" finds "brøk", "samtaler" finds
  "samtale", "multipl" finds "multiplikasjon"; served by a GIN index;
* substring search for parts of compounds ("skaping" in "tekstskaping"),
  served by a ``pg_trgm`` GIN trigram index on ``UPPER(text)``.

Every word of the query must match, one way or the other; single letters and
words the Norwegian dictionary ignores ("og", "i", "på") are left out. Hits
are ranked by ``ts_rank_cd`` of the whole query (``rank``: words close
together count, long texts are damped; 0 for substring-only hits); ties keep
the curriculum's own order. A query that is an aim code lists that aim first,
then the aims whose codes start with it. On other databases (the SQLite demo)
every word must occur in the text (``icontains``).
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When

from .models import CompetenceAim, CompetenceAimSet, CoreElement, Curriculum, GrepStatus

SEARCH_CONFIG = "norwegian"
#: What a result list does not show, left out to keep searches lean: import
#: bookkeeping, the search vector, and the per-language titles of the
#: curriculum and set (the aim's own ``texts`` stay, for nynorsk and Sami).
BOOKKEEPING = ("created_at", "updated_at")
RESULT_DEFERRED = (
    "search_vector",
    *BOOKKEEPING,
    *(f"curriculum__{name}" for name in (*BOOKKEEPING, "titles", "replaces_codes", "replaced_by_codes")),
    *(f"aim_set__{name}" for name in (*BOOKKEEPING, "titles", "year_level_codes")),
)
#: The core elements of each hit: code and title are what a result list shows.
CORE_ELEMENT_FIELDS = ("id", "code", "title", "sort_order")
AIM_CODE_RE = re.compile(r"^KM[A-Z]*\d+$", re.IGNORECASE)
CURRICULUM_CODE_RE = re.compile(r"^[A-Z]{2,4}\d{1,2}-\d{2}$", re.IGNORECASE)
#: Subject filter that looks like a curriculum code or its prefix ("NOR", "NOR01", "MAT01-05").
SUBJECT_CODE_RE = re.compile(r"^[A-Z]{2,4}(\d{1,2}(-\d{0,2})?)?$", re.IGNORECASE)
MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
#: Words (letters and digits) of a query; nothing else reaches ``to_tsquery``.
WORD_RE = re.compile(r"[^\W_]+")
#: Shorter words have no trigram to look up, and would match nearly every text.
MIN_SUBSTRING = 3

__all__ = ["aim_year_level", "curricula", "search_aims", "uses_postgres_search"]


def uses_postgres_search() -> bool:
    return connection.vendor == "postgresql"


def curricula(*, include_expired: bool = False) -> QuerySet[Curriculum]:
    qs = Curriculum.objects.order_by("code")
    return qs if include_expired else qs.filter(status=GrepStatus.PUBLISHED)


def _subject_filter(subject: str) -> Q:
    subject = subject.strip()
    by_name = Q(curriculum__short_title__iexact=subject) | Q(curriculum__title__icontains=subject)
    if SUBJECT_CODE_RE.match(subject):
        return Q(curriculum__code__istartswith=subject) | by_name
    return by_name


def _year_level_filter(year_level: int) -> Q:
    if connection.features.supports_json_field_contains:
        return Q(aim_set__year_levels__contains=[year_level])
    # SQLite cannot look inside JSON arrays; the sets are few, so ask Python.
    set_ids = [
        pk for pk, levels in CompetenceAimSet.objects.values_list("pk", "year_levels") if year_level in (levels or [])
    ]
    return Q(aim_set_id__in=set_ids)


def aim_year_level(year_level: int | None) -> int | None:
    """The year level a pupil in YEAR_LEVEL (1-13) works towards in the
    curriculum: the nearest level at or above it after which published aims
    are set (LK20 sets aims after years 2, 4, 7 and 10: a pupil in year 3
    gets 4), else the highest level below it that has aims; YEAR_LEVEL itself
    when no aim set names a level, None for None. One query."""
    if year_level is None:
        return None
    levels: set[int] = set()
    for values in CompetenceAimSet.objects.filter(status=GrepStatus.PUBLISHED).values_list("year_levels", flat=True):
        levels.update(level for level in values or [] if isinstance(level, int))
    above = [level for level in levels if level >= year_level]
    below = [level for level in levels if level < year_level]
    if above:
        return min(above)
    return max(below) if below else year_level


def search_aims(
    query: str = "",
    *,
    subject: str | None = None,
    year_level: int | None = None,
    limit: int = 50,
    include_expired: bool = False,
) -> QuerySet[CompetenceAim]:
    """Competence aims matching ``query``, best first, at most ``limit``.

    ``subject`` is a curriculum code or its prefix ("NOR", "MAT01-05") or a
    subject name ("norsk", "Matematikk"). ``year_level`` (1-10, Vg1-Vg3 =
    11-13) keeps the aims to be reached *after* that year. Expired aims (and
    aims of expired sets or curricula) are left out unless ``include_expired``.
    The result has the curriculum and aim set joined and the core elements
    prefetched (code and title), so listing it costs two queries whatever its
    size; what a result list does not show is deferred (``RESULT_DEFERRED``); a word
    search on PostgreSQL first counts its full-text hits (one more query), and
    the first time a process meets a word it asks whether it is a stop word.
    """
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    qs = (
        CompetenceAim.objects.select_related("curriculum", "aim_set")
        .prefetch_related(
            Prefetch("core_elements", queryset=CoreElement.objects.only(*CORE_ELEMENT_FIELDS).order_by("sort_order"))
        )
        .defer(*RESULT_DEFERRED)
    )
    if not include_expired:
        qs = qs.filter(
            status=GrepStatus.PUBLISHED,
            aim_set__status=GrepStatus.PUBLISHED,
            curriculum__status=GrepStatus.PUBLISHED,
        )
    if subject and subject.strip():
        qs = qs.filter(_subject_filter(subject))
    if year_level is not None:
        qs = qs.filter(_year_level_filter(year_level))
    natural_order = ["curriculum__code", "aim_set__sort_order", "aim_set__code", "sort_order", "code"]

    if not query:
        return qs.order_by(*natural_order)[:limit]
    if AIM_CODE_RE.match(query):
        code = query.upper()
        return (
            qs.filter(code__startswith=code)
            .annotate(exact=Case(When(code=code, then=Value(1)), default=Value(0), output_field=IntegerField()))
            .order_by("-exact", *natural_order)[:limit]
        )
    if CURRICULUM_CODE_RE.match(query):
        return qs.filter(curriculum__code__iexact=query).order_by(*natural_order)[:limit]
    if uses_postgres_search():
        return _postgres_search(qs, query, natural_order, limit)[:limit]
    words = query.split()
    condition = Q()
    for word in words:
        # SQLite's LIKE ignores case for A-Z only: "BRØKER" must find "brøker" too.
        condition &= Q(text__icontains=word) | Q(text__icontains=word.lower()) | Q(text__icontains=word.upper())
    return qs.filter(condition).order_by(*natural_order)[:limit]


def _postgres_search(
    qs: QuerySet[CompetenceAim], query: str, natural_order: list[str], limit: int
) -> QuerySet[CompetenceAim]:
    """Every word must match: a word of the aim starts with its stem, or the text contains it; then rank.

    Only aims that match every word by its stem get a rank above 0, so when
    there are ``limit`` of those they are the whole answer: then the cheaper
    full-text-only query is used, and the substring test is spared thousands
    of rows for common words.
    """
    typed = [word for word in WORD_RE.findall(query) if len(word) > 1][:MAX_WORDS]
    stop_words = _stop_words(typed)
    words = [word for word in typed if word.casefold() not in stop_words]
    if not words:  # only words like "og", "i", "på": nothing to rank by
        return qs.filter(text__icontains=query).order_by(*natural_order)
    whole_query = _prefix_query(words)
    ranked = qs.annotate(rank=SearchRank(F("search_vector"), whole_query, cover_density=True, normalization=1))
    full_text = ranked.filter(search_vector=whole_query)
    if full_text[:limit].count() >= limit:
        return full_text.order_by("-rank", *natural_order)
    condition = Q()
    for word in words:
        word_matches = Q(search_vector=_prefix_query([word]))
        if len(word) >= MIN_SUBSTRING:
            word_matches |= Q(text__icontains=word)
        condition &= word_matches
    return ranked.filter(condition).order_by("-rank", *natural_order)


def _prefix_query(words: list[str]) -> SearchQuery:
    """``tekster brø`` -> ``to_tsquery('norwegian', 'tekster:* & brø:*')``: stems, as prefixes."""
    return SearchQuery(" & ".join(f"{word}:*" for word in words), config=SEARCH_CONFIG, search_type="raw")


_STOP_WORDS: dict[str, bool] = {}
STOP_WORD_CACHE_SIZE = 50_000


def _stop_words(words: list[str]) -> set[str]:
    """The words PostgreSQL's Norwegian dictionary ignores ("og", "i", "som" ...).

    Asked once per word and process: a search with words never seen before
    costs one small extra query.
    """
    unknown = sorted({w.casefold() for w in words} - _STOP_WORDS.keys())
    if unknown:
        if len(_STOP_WORDS) > STOP_WORD_CACHE_SIZE:
            _STOP_WORDS.clear()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT w, numnode(plainto_tsquery(%s::regconfig, w)) = 0 FROM unnest(%s::text[]) AS w",
                [SEARCH_CONFIG, unknown],
            )
            _STOP_WORDS.update(dict(cursor.fetchall()))
    return {w.casefold() for w in words if _STOP_WORDS.get(w.casefold())}
