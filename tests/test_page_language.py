"""Every page speaks one language: rendered in Swedish, nynorsk or English,
its visible text holds no word of another language.

For every GET row of the permission matrix (``tests/matrix.py``) that shows a
page (200, HTML) to some logged-in persona, the first such persona opens it
with their own language (``User.language``) set to each language tested. The
page's visible text (no ``<script>``/``<style>``; with the ``title``,
``placeholder``, ``aria-label`` and ``alt`` attributes and the value of
input buttons) is searched for unmistakable words of the other languages
(:data:`WORDS`). A word found is a string not wrapped in gettext, or missing
from the page language's catalog.

What users typed is not the interface's: every text the test world holds
(names of people and schools, free text, the årshjul's duties) is taken out
of the page before it is searched (:func:`data_values`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import models

from iop.models import NORWEGIAN_SCALE, NORWEGIAN_SUBJECTS, SWEDISH_SCALE, SWEDISH_SUBJECTS
from students.models import User
from tests.conftest import PERSONAS, World
from tests.matrix import LOGGED_OUT, project_models, row_groups
from tests.test_permission_matrix import module_world, scratch  # noqa: F401  (module_world: a fixture)

# Unmistakable words of each language: common words of the interface that
# are not words (or not these words) in the others. Bokmål and nynorsk
# share many words; the words both use are NORWEGIAN, found on a Swedish or
# English page only.
NORWEGIAN = {"lagre", "tilbake", "endre", "slett", "lukk", "søk", "og", "til", "møte"}
BOKMAL = {
    "ikke",
    "hva",
    "hvem",
    "hvordan",
    "hvis",
    "hvilke",
    "hvilken",
    "skole",
    "skolen",
    "skolens",
    "skoler",
    "foresatte",
    "foresattes",
    "jeg",
    "dere",
    "ble",
    "mangler",
    "fra",
    "bare",
    "noe",
    "flere",
    "mye",
}
NYNORSK = {
    "ikkje",
    "kva",
    "korleis",
    "kven",
    "skule",
    "skulen",
    "skulens",
    "skular",
    "føresette",
    "føresett",
    "eg",
    "dykk",
    "frå",
    "berre",
    "noko",
    "nokre",
    "fleire",
    "mykje",
    "manglar",
    "elevar",
}
SWEDISH = {
    "inte",
    "och",
    "spara",
    "skola",
    "skolan",
    "skolans",
    "vårdnadshavare",
    "vårdnadshavaren",
    "tillbaka",
    "är",
    "också",
    "vilka",
    "hur",
    "måste",
    "här",
    "finns",
    "från",
    "efter",
    "ändra",
    "eleverna",
}
ENGLISH = {
    "the",
    "and",
    "save",
    "cancel",
    "back",
    "school",
    "pupil",
    "pupils",
    "guardian",
    "guardians",
    "with",
    "this",
    "your",
    "you",
    "not",
    "have",
    "has",
    "are",
    "from",
    "which",
    "what",
    "who",
    "of",
}
#: The words a page in each language may not hold.
WORDS = {
    "sv": NORWEGIAN | BOKMAL | NYNORSK | ENGLISH,
    "nn": BOKMAL | SWEDISH | ENGLISH,
    "en": NORWEGIAN | BOKMAL | NYNORSK | SWEDISH,
}
LANGUAGES = ("sv", "nn", "en")
ALL_WORDS = NORWEGIAN | BOKMAL | NYNORSK | SWEDISH | ENGLISH
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class VisibleText(HTMLParser):
    """The text a reader sees or hears of an HTML page, one piece a line."""

    #: Not read as language: hidden parts, and <code> (a file name, a column name: the machine's words).
    HIDDEN = frozenset({"script", "style", "template", "code"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
            return
        values = dict(attrs)
        self.pieces += [values[name] or "" for name in VISIBLE_ATTRIBUTES if values.get(name)]
        kind = (values.get("type") or "").lower()
        if tag == "input" and kind in {"submit", "button", "reset"}:  # a <button>'s value is not shown
            self.pieces.append(values.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.pieces.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return "\n".join(" ".join(piece.split()) for piece in parser.pieces)


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


#: Defaults a form fills in for the user to edit: the school's own words (a
#: Norwegian school's subjects), data rather than the interface's.
DEFAULT_DATA = (*NORWEGIAN_SUBJECTS, *SWEDISH_SUBJECTS, *NORWEGIAN_SCALE, *SWEDISH_SCALE)


def data_values() -> list[str]:
    """The texts of the database that hold a word of some language, line by
    line and each whitespace-collapsed, the longest first: what users typed
    (and the test world made) rather than what the interface says; and
    :data:`DEFAULT_DATA`."""
    found: set[str] = set(DEFAULT_DATA)
    for model in project_models():
        if not model._meta.managed:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.choices
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in _texts(list(row)):  # a JSONField's value comes decoded
                for line in value.splitlines():
                    line = " ".join(line.split())
                    if line and any(w.lower() in ALL_WORDS for w in WORD.findall(line)):
                        found.add(line)
    return sorted(found, key=len, reverse=True)


def foreign_words(text: str, language: str, data: list[str]) -> list[str]:
    """The words of other languages in TEXT (data values removed), each with
    a little of what surrounds it."""
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    found = []
    for match in WORD.finditer(text):
        if match.group().lower() in WORDS[language]:
            line_start = text.rfind("\n", 0, match.start()) + 1
            line_end = text.find("\n", match.end())
            line = text[line_start : line_end if line_end >= 0 else None]
            found.append(f"{match.group()!r} in {line[:160]!r}")
    return found


def shown_to(expect: dict[str, int]) -> str | None:
    """The persona who sees the page: the first logged-in one answered 200."""
    return next((p for p in PERSONAS if expect[p] == 200 and p not in LOGGED_OUT), None)


@pytest.fixture
def world(module_world: World, db: None) -> Iterator[World]:  # noqa: F811
    yield module_world
    module_world.extra.clear()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_speaks_only_its_language(world: World, language: str) -> None:
    clients = {persona: world.client(persona) for persona in PERSONAS}
    wrong: list[str] = []
    pages = 0
    for group in row_groups().values():
        with scratch(world):
            shown = [
                (name, row.url(world), persona)
                for name, rows in sorted(group.items())
                for row in rows
                if row.method == "get" and (persona := shown_to(row.expect)) is not None
            ]
            User.objects.filter(pk__in=[u.pk for u in world.users.values() if u is not None]).update(language=language)
            texts = []
            for name, url, persona in shown:
                response = clients[persona].get(url)
                if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                    texts.append((f"{url} ({name}, {persona})", visible_text(response.content.decode())))
            data = data_values()  # after the pages: a page may make records (the årshjul's duties)
            pages += len(texts)
            for page, text in texts:
                found = foreign_words(text, language, data)
                if found:
                    wrong.append(f"{page}: " + "; ".join(found))
    assert pages > 50, f"only {pages} pages were searched"
    assert not wrong, f"Words of another language on {language} pages:\n" + "\n".join(wrong)


def test_it_finds_a_word_left_in_another_language(world: World) -> None:
    """The check can fail: the home page in bokmål holds bokmål words, seen
    from Swedish and English; in Swedish it holds none of another language."""
    client = world.client("teacher")
    user = world.user("teacher")
    User.objects.filter(pk=user.pk).update(language="nb")  # type: ignore[union-attr]
    bokmal = visible_text(client.get("/").content.decode())
    assert foreign_words(bokmal, "sv", []) and foreign_words(bokmal, "en", [])
    User.objects.filter(pk=user.pk).update(language="sv")  # type: ignore[union-attr]
    swedish = visible_text(client.get("/").content.decode())
    assert foreign_words(swedish, "sv", data_values()) == []
    assert foreign_words("Spara och gå tillbaka", "en", []) and not foreign_words("Spara", "sv", [])


def test_data_is_not_the_interfaces_words() -> None:
    text = visible_text(
        '<p title="Lagre">Kari og Ola</p><script>var og = 1;</script>'
        '<button value="up">Opp</button><input type="submit" value="Tilbake">'
    )
    assert text.split("\n") == ["Lagre", "Kari og Ola", "Opp", "Tilbake"]
    assert foreign_words(text, "sv", ["Kari og Ola"]) == ["'Lagre' in 'Lagre'", "'Tilbake' in 'Tilbake'"]
