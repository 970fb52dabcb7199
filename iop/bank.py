"""De-identification of a learning goal before it enters the læringsbank.

A goal enters the læringsbank only as a separate copy whose text went
through :func:`deidentify`: every person name the school owner knows
(pupils, guardians, staff — first, last and full names) is replaced by a
neutral word, and a text that still looks personal is refused with the
reasons, so the teacher rewrites it rather than having it silently cut.

The function is pure (no database, no settings): the caller passes the names
and the word lists; :func:`sensitive_words` reads the configurable list
``settings.IOP_BANK_SENSITIVE_WORDS``.

Known trade-off: a name that is also a common word ("Per" and "per", "Hans"
and "hans", "Mai" and "mai") is replaced wherever the word occurs, in any
case; the teacher sees the result in the preview before sharing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Health words refused by default (bokmål, nynorsk and Swedish); a word of
#: five letters or more is found anywhere in a word ("skoleangst"), a shorter
#: one at a word's start ("ADHD-en").
DEFAULT_SENSITIVE_WORDS: tuple[str, ...] = (
    "angst",
    "ångest",
    "depresjon",
    "depression",
    "deprimert",
    "deprimerad",
    "diagnose",
    "diagnos",
    "ADHD",
    "autisme",
    "autism",
    "asperger",
    "Tourette",
    "medisin",
    "medisiner",
    "medicin",
    "sykdom",
    "sjukdom",
    "epilepsi",
    "dysleksi",
    "dyslexi",
    "dyskalkuli",
    "diabetes",
    "astma",
    "allergi",
    "psykisk",
    "psykiatri",
    "psykolog",
    "BUP",
    "selvskading",
    "sjølvskading",
    "självskad",
    "spiseforstyrr",
    "ätstörning",
    "syndrom",
    "sykehus",
    "sjukehus",
    "sjukhus",
    "terapi",
)

#: Capitalised words that are not names: subjects and places of the Nordic
#: curricula (bokmål, nynorsk, Swedish).
DEFAULT_TERMS: frozenset[str] = frozenset(
    word.casefold()
    for word in [
        "Norsk",
        "Matematikk",
        "Engelsk",
        "Naturfag",
        "Samfunnsfag",
        "KRLE",
        "RLE",
        "Musikk",
        "Kroppsøving",
        "Kunst",
        "Håndverk",
        "Mat",
        "Helse",
        "Samisk",
        "Kvensk",
        "Finsk",
        "Tysk",
        "Fransk",
        "Spansk",
        "Nynorsk",
        "Bokmål",
        "Grep",
        "LK20",
        "Udir",
        "Utdanningsdirektoratet",
        "Svenska",
        "Matematik",
        "Engelska",
        "Idrott",
        "Hälsa",
        "Bild",
        "Slöjd",
        "Teknik",
        "Biologi",
        "Fysik",
        "Kemi",
        "Geografi",
        "Historia",
        "Religionskunskap",
        "Samhällskunskap",
        "Moderna",
        "Språk",
        "Skolverket",
        "Lgr22",
        "Norge",
        "Noreg",
        "Sverige",
        "Norden",
        "Europa",
        "Afrika",
        "Asia",
        "Amerika",
        "Oslo",
        "Stockholm",
        "Jorda",
        "Jorden",
        "Mandag",
        "Tirsdag",
        "Onsdag",
        "Torsdag",
        "Fredag",
        "Måndag",
        "Tisdag",
        "Fredag",
        "Januar",
        "Februar",
        "Mars",
        "April",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Desember",
        "GeoGebra",
        "Word",
        "Excel",
        "Chromebook",
        "iPad",
    ]
)

WORD = re.compile(r"\w+", re.UNICODE)
# After one of these (or at the start) a capital letter begins a sentence or an item.
STARTERS = frozenset('.!?:;\n«"“(•*-–—')
#: Family and welfare matters refused like health words (bokmål, nynorsk, Swedish).
PRIVATE_WORDS: tuple[str, ...] = (
    "barnevern",
    "barnvård",
    "socialtjänst",
    "er skilt",
    "ble skilt",
    "blei skilt",
    "skilt seg",
    "skilde seg",
    "skildes",
    "skilte foreldre",
    "skilsmisse",
    "skilsmässa",
    "samlivsbrudd",
    "fosterhjem",
    "familjehem",
    "mor sier",
    "mora seier",
    "far sier",
    "mamma säger",
    "pappa säger",
)
MONTHS = (
    "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|"
    "januari|februari|maj|augusti|oktober|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|oct|nov|des|dec"
)
#: Dates and long numbers (a birth date, also in words: "10. mai 2017"; a
#: phone or national identity number, also with hyphens or dots).
IDENTIFYING_NUMBER = re.compile(
    r"(?<!\w)(?!\d{4}[-/]\d{4}(?!\w))(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|\+?\d(?:[ \d.-]{6,}\d)"
    rf"|\d{{1,2}}\.?\s*(?:{MONTHS})\.?\s+\d{{4}})(?!\w)",
    re.IGNORECASE,
)
#: E-mail addresses (a web address is no person's and may stay).
CONTACT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# The same name typed without the Nordic letters: Jørgensen → jorgensen, joergensen.
_PLAIN_SPELLINGS = (
    ("ø", "o"),
    ("ø", "oe"),
    ("ö", "o"),
    ("ö", "oe"),
    ("æ", "ae"),
    ("æ", "e"),
    ("ä", "a"),
    ("ä", "ae"),
    ("å", "aa"),
    ("å", "a"),
    ("é", "e"),
    ("ü", "u"),
)

# A name's genitive: Olivias, Olivia's, Olivia’s, Jonas'.
POSSESSIVE = re.compile(r"['’]s?(?!\w)")


class Refused(ValidationError):
    """The text still looks personal. ``problems``: [("health" | "private" | "contact" | "number" | "name", word)]
    in the order found; ``messages`` says each to the teacher."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        texts = []
        for kind, word in problems:
            if kind == "health":
                texts.append(_("The text mentions health: «%(word)s». Rewrite it before you share.") % {"word": word})
            elif kind == "private":
                texts.append(
                    _("The text mentions family or private matters: «%(word)s». Rewrite it before you share.")
                    % {"word": word}
                )
            elif kind == "contact":
                texts.append(
                    _("The text has an e-mail address: «%(word)s». Remove it before you share.") % {"word": word}
                )
            elif kind == "number":
                message = _(
                    "The text has a date or number that can identify someone: «%(word)s». Remove it before you share."
                )
                texts.append(message % {"word": word})
            else:
                texts.append(_("The text may name a person: «%(word)s». Rewrite it before you share.") % {"word": word})
        super().__init__(texts)


def name_parts(names: Iterable[str]) -> set[str]:
    """The casefolded words of NAMES ("Kari Nordmann-Li" → {"kari",
    "nordmann", "li"}), each also as typed without Nordic letters
    ("Jørgensen" → "jørgensen", "jorgensen", "joergensen"); words of one
    letter are left out."""
    parts = {part.casefold() for name in names for part in WORD.findall(name or "") if len(part) > 1}
    for part in list(parts):
        for letter, plain in _PLAIN_SPELLINGS:
            if letter in part:
                parts.add(part.replace(letter, plain))
    return parts


def _starts_sentence(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in STARTERS


def _is_name(word: str, parts: set[str]) -> bool:
    folded = word.casefold()
    return folded in parts or (len(folded) > 2 and folded.endswith("s") and folded[:-1] in parts)


def _replace_names(text: str, own: set[str], others: set[str], pupil_word: str, name_word: str) -> str:
    everyone = own | others
    out: list[str] = []
    position = 0
    matches = list(WORD.finditer(text))
    index = 0
    while index < len(matches):
        match = matches[index]
        if not _is_name(match.group(), everyone):
            index += 1
            continue
        # One placeholder for a full name: the following name words joined by spaces or hyphens.
        first, last = index, index
        while (
            last + 1 < len(matches)
            and _is_name(matches[last + 1].group(), everyone)
            and re.fullmatch(r"[\s\-]+", text[matches[last].end() : matches[last + 1].start()])
        ):
            last += 1
        words = [m.group() for m in matches[first : last + 1]]
        mine = all(_is_name(w, own) for w in words)
        end = matches[last].end()
        possessive = POSSESSIVE.match(text, end)
        if possessive:
            end = possessive.end()
        genitive = bool(possessive) or words[-1].casefold() not in everyone
        word = (pupil_word + ("s" if genitive else "")) if mine else name_word
        if _starts_sentence(text, match.start()):
            word = word[:1].upper() + word[1:]
        out.append(text[position : match.start()])
        out.append(word)
        position = end
        index = last + 1
    out.append(text[position:])
    return "".join(out)


def _problems(text: str, sensitive: Iterable[str], terms: frozenset[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for word in sensitive:
        word = word.strip()
        if not word:
            continue
        pattern = re.escape(word) if len(word) >= 5 else rf"(?<!\w){re.escape(word)}"
        hit = re.search(pattern, text, re.IGNORECASE)
        if hit:
            start, end = hit.start(), hit.end()
            while start > 0 and text[start - 1].isalnum():
                start -= 1
            while end < len(text) and text[end].isalnum():
                end += 1
            found.append(("health", text[start:end]))
    for word in PRIVATE_WORDS:
        hit = re.search(rf"(?<!\w){re.escape(word)}", text, re.IGNORECASE)
        if hit:
            found.append(("private", hit.group()))
    found.extend(("number", hit.group()) for hit in IDENTIFYING_NUMBER.finditer(text))
    for match in WORD.finditer(text):
        word = match.group()
        if not word[0].isupper() or word.isupper() or any(ch.isdigit() for ch in word):
            continue  # lower case, an abbreviation (KRLE) or a code (KM1234)
        if word.casefold() in terms or _starts_sentence(text, match.start()):
            continue
        found.append(("name", word))
    unique: list[tuple[str, str]] = []
    for problem in found:
        if problem not in unique:
            unique.append(problem)
    return unique


def deidentify(
    text: str,
    *,
    own_names: Iterable[str],
    other_names: Iterable[str],
    sensitive: Iterable[str] = DEFAULT_SENSITIVE_WORDS,
    terms: Iterable[str] = DEFAULT_TERMS,
    pupil_word: str = "eleven",
    name_word: str = "[navn]",
) -> str:
    """TEXT with every person name replaced, or :class:`Refused`.

    OWN_NAMES: the names of the goal's pupil ("Olivia", "Hansen" or "Olivia
    Hansen"), each replaced by PUPIL_WORD (with an "s" for a genitive:
    "elevens"); OTHER_NAMES: every other name the
    school owner knows (other pupils, guardians, staff), replaced by
    NAME_WORD. Names match whole words in any case, with a genitive
    ("Olivias", "Olivia's", "Jonas'"); a full name ("Jonas Hansen",
    "Kari Nordmann-Li") becomes one placeholder.

    Afterwards the text is refused (``Refused``, a ``ValidationError`` whose
    messages say why) when it contains an e-mail address, a date or
    a long number, a family matter, a word of SENSITIVE (health; any
    case) or a capitalised word inside a sentence that is not in TERMS
    (casefolded curriculum words and places): probably a name the school
    does not know. Nothing is stripped silently. Empty text returns "".
    """
    result = _replace_names(text or "", name_parts(own_names), name_parts(other_names), pupil_word, name_word)
    problems = [("contact", hit.group()) for hit in CONTACT.finditer(text or "")]
    problems += _problems(CONTACT.sub(" ", result), sensitive, frozenset(t.casefold() for t in terms))
    if problems:
        raise Refused(problems)
    return result


def sensitive_words() -> tuple[str, ...]:
    """The configured health words (``settings.IOP_BANK_SENSITIVE_WORDS``, else the defaults)."""
    return tuple(getattr(settings, "IOP_BANK_SENSITIVE_WORDS", DEFAULT_SENSITIVE_WORDS))


@dataclass(frozen=True)
class Shared:
    """What a goal shares: the de-identified goal text, criteria ({field:
    text}) and, for display, [(the criterion's label, text)] of those given."""

    text: str
    criteria: dict[str, str]
    criteria_rows: list[tuple[Any, str]] = field(default_factory=list)
