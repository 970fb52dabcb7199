"""Reads of the curriculum. The data is public, so nothing here asks the access layer.

:func:`search_aims` is the competence-aim search of the goal picker. On
PostgreSQL it combines

* the aim code (``KM1234``, any case) -- exact hits first, then codes that
  start with what was typed;
* full-text search with Norwegian stemming (``to_tsvector('norwegian', text)``,
  so "brøker" finds "brøk" and "samtaler" finds "samtale"), served by a GIN
  expression index;
* trigram word similarity (``pg_trgm``) for partial words and parts of
  compounds ("multipl", "skaping" in "tekstskaping"), served by a GIN trigram
  index.

Every word of the query must match, by its stem or as part of a word. Hits
are ranked by ``ts_rank_cd`` of the whole query (``rank``: words close
together count, long texts are damped; 0 when no word matched by its stem),
then by trigram similarity (``similarity``); ties keep the curriculum's own
order. A query that is an aim code lists that aim first,
then the aims whose codes start with it. On other databases (the SQLite demo)
every word must occur in the text (``icontains``).
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from .models import CompetenceAim, CompetenceAimSet, Curriculum, GrepStatus

SEARCH_CONFIG = "norwegian"
AIM_CODE_RE = re.compile(r"^KM[A-Z]*\d+$", re.IGNORECASE)
CURRICULUM_CODE_RE = re.compile(r"^[A-Z]{2,4}\d{1,2}-\d{2}$", re.IGNORECASE)
#: Subject filter that looks like a curriculum code or its prefix ("NOR", "NOR01", "MAT01-05").
SUBJECT_CODE_RE = re.compile(r"^[A-Z]{2,4}(\d{1,2}(-\d{0,2})?)?$", re.IGNORECASE)
MAX_QUERY_LENGTH = 200
MAX_WORDS = 8

__all__ = ["aim_search_vector", "curricula", "search_aims", "uses_postgres_search"]


def uses_postgres_search() -> bool:
    return connection.vendor == "postgresql"


def aim_search_vector() -> SearchVector:
    """The expression the GIN full-text index is built on; queries must use the very same."""
    return SearchVector("text", config=SEARCH_CONFIG)


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
    prefetched, so listing it costs two queries whatever its size.
    """
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    qs = CompetenceAim.objects.select_related("curriculum", "aim_set").prefetch_related("core_elements")
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
        return _postgres_search(qs, query, natural_order)[:limit]
    words = query.split()
    condition = Q()
    for word in words:
        condition &= Q(text__icontains=word)
    return qs.filter(condition).order_by(*natural_order)[:limit]


def _postgres_search(qs: QuerySet[CompetenceAim], query: str, natural_order: list[str]) -> QuerySet[CompetenceAim]:
    """Every word must match, by its stem (full text) or as part of a word (trigram); then rank."""
    words = query.split()[:MAX_WORDS]
    condition = Q()
    for word in words:
        condition &= Q(document=SearchQuery(word, config=SEARCH_CONFIG)) | Q(text__trigram_word_similar=word)
    whole_query = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    return (
        qs.annotate(document=aim_search_vector())
        .filter(condition)
        .annotate(
            rank=SearchRank(F("document"), whole_query, cover_density=True, normalization=1),
            similarity=TrigramWordSimilarity(Value(query), "text"),  # type: ignore[arg-type]
        )
        .order_by("-rank", "-similarity", *natural_order)
    )
