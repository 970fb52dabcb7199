"""One kit for optimistic concurrency on every versioned document.

Every document several people edit (IOP, its sections, goals of IOPs and
IUPs, IUP, IUP assessments, sakkyndig vurdering, enkeltvedtak drafts,
reports) carries a ``version``. An editor's form posts the version it
started from; a save is a three-way merge against that *base*:

* the base is the document as it was at that version (from
  django-simple-history; the historical record with that version). A
  version the history no longer holds (inside a collapsed series of saves,
  :mod:`iop.collapse`) is stood for by the fingerprints of the values the
  form loaded (:data:`LOADED`), which tell the same field by field;
* a field the user changed is one where the submitted value differs from
  the base; only those fields are written;
* a field *conflicts* only when a later save changed it since the base and
  the submitted value differs from the current one. Disjoint changes merge
  silently. A later save by the same user counts like anybody else's: it
  came from another window or tab (or another device) of theirs, since a
  page's own saves follow one another and each moves the form to the new
  version. The conflict box then says it was the user's own save, elsewhere;
  nothing typed in either window is overwritten.

On a conflict nothing is written; :class:`EditConflict` carries one
:class:`Clash` per conflicting field (both texts, who and when) and the
values to adopt silently (fields only the others changed), so the view can
move the form to the current version and let the user keep their text,
take the other, or merge. :func:`merge_text` proposes the merged text: a
three-way merge of both texts against the base text, so edits in different
parts join without repeating what the texts share, and only an overlapping
part shows both versions between markers. :func:`apply_choices` turns
those choices (plain form fields, no JavaScript needed) back into form data;
a "merge" chosen after the user typed on in the field is merged again from
the field as it stands, so what was typed after the conflict is never lost.

Irreversible actions (publish, finalise, make, complete, archive) use
:func:`require_unchanged_by_others`: the action is refused only when
somebody else changed the document since the version the user saw.

Glossary: *base* – the version the editor started from; *theirs* – the
current stored value; *mine* – the submitted value.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.forms import Textarea
from django.http import QueryDict
from django.utils.formats import localize
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from merge3 import Merge3

from . import collapse

M = TypeVar("M", bound=models.Model)

#: Values a resolution choice may take.
KEEP_MINE, TAKE_THEIRS, MERGE = "mine", "theirs", "merge"


@dataclass
class Clash:
    """One field both the user and somebody else changed.

    ``mine``/``theirs`` are the submitted and the current value (model
    values, e.g. ``str`` or ``datetime.date``); ``who`` the full name of the
    last person who changed it, ``when`` the aware time of that save, and
    ``own`` whether that was the user themselves (in another window or tab)."""

    name: str
    mine: Any
    theirs: Any
    who: str = ""
    when: datetime.datetime | None = None
    own: bool = False
    label: str = ""
    key: str = ""  # the form's input name of the field (filled by :func:`rebase`)
    text: bool = True  # whether a merged text can be written
    choice: str = ""  # input name of the keep/take/merge choice
    merged: str = ""  # input name of the merged text
    theirs_name: str = ""  # input name carrying the other value back
    theirs_post: str = ""  # the other value as the form posts it
    base: Any = None  # the value at the user's version (None when unknown)
    stale: bool = False  # the user's value is one stored earlier (a form left open), not new writing
    base_name: str = ""  # input name carrying the base value back
    base_post: str = ""  # the base value as the form posts it
    was_name: str = ""  # input name carrying the user's text the proposal was made from
    version_name: str = ""  # input name carrying the version the user started from
    version_post: str = ""  # that version as the form posts it
    proposal: str = ""  # the merged text offered (see :func:`merge_text`)
    clean: bool = False  # whether the proposal joins both texts without an overlap
    own_merge: bool = False  # the proposal is the merged text the user wrote (shown again as they left it)
    typed_on: bool = False  # … and the user typed on in the form after it: that text is not in it
    checked: str = KEEP_MINE  # the choice shown chosen: the user's own when they made one


@dataclass
class EditConflict(Exception):
    """Someone else changed, since the user's base, a field the user changed too.

    ``current`` is the current (locked) row, ``clashes`` the conflicting
    fields, ``adopt`` {field: current value} for fields only others changed
    (the form takes them so a second save does not undo them)."""

    current: models.Model
    clashes: list[Clash] = field(default_factory=list)
    adopt: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__("edit conflict")

    def __str__(self) -> str:
        return "edit conflict: " + ", ".join(c.name for c in self.clashes)


@dataclass
class Step:
    """One later save of the document: who (user id or None) and its values."""

    user_id: Any
    who: str
    when: datetime.datetime
    values: dict[str, Any]


def _norm(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str):  # as a form cleans it: a text's surrounding blanks are no change
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, list | tuple | set):
        return tuple(sorted(str(v) for v in value))
    return value


#: The form field (``iop.forms.VersionedForm``) that carries what the editor
#: loaded, as {field name: :func:`digest`}; cleaned into a dict.
LOADED = "loaded"


def digest(value: Any) -> str:
    """A short fingerprint (16 hex digits) of VALUE as the merge compares it
    (``_norm``: a text's surrounding blanks and line endings are no change)."""
    return hashlib.sha256(repr(_norm(value)).encode()).hexdigest()[:16]


def loaded_digests(obj: models.Model, names: Iterable[str]) -> str:
    """What an editor of OBJ loads, for :data:`LOADED`: compact JSON
    ``{name: digest}`` of OBJ's concrete fields among NAMES (many-to-many
    and non-model names left out)."""
    fields = {f.name: f for f in obj._meta.get_fields()}
    out = {}
    for name in names:
        model_field = fields.get(name)
        if model_field is not None and model_field.concrete and not model_field.many_to_many:
            out[name] = digest(_value(obj, name))
    return json.dumps(out, separators=(",", ":"), sort_keys=True)


def parse_loaded(text: str) -> dict[str, str]:
    """The {name: digest} posted in :data:`LOADED` ({} for anything else)."""
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


class StaleFields(ValidationError):
    """Fields of a record without versions that both the user and somebody
    else changed since the user's form loaded them: one message per field
    (with the text now stored); ``loaded``, the fingerprints of the stored
    values (:func:`loaded_digests`) for the form to post next, and
    ``adopt`` {field: stored value} for the fields only others changed, which
    the form takes, so saving again stores the user's text knowingly and
    undoes nothing."""

    def __init__(self, messages: dict[str, str], loaded: str, adopt: dict[str, Any]) -> None:
        super().__init__(messages)
        self.loaded = loaded
        self.adopt = adopt


#: How many characters of the stored text a :class:`StaleFields` message quotes.
STALE_QUOTE_CHARS = 300


def _shown(obj: models.Model, name: str) -> str:
    """Field NAME of OBJ as a message quotes it ("–" when empty)."""
    value = getattr(obj, name, None)
    if value is None or value == "":
        return "–"
    return Truncator(localize(value) if isinstance(value, datetime.date) else str(value)).chars(STALE_QUOTE_CHARS)


def changed_since_loaded(was: str | None, mine: Any, stored: Any) -> str | None:
    """Who changed a field since the user's form loaded it, told by WAS (the
    :func:`digest` the form loaded; None: it tells nothing, and None is
    returned): ``TAKE_THEIRS`` when the user did not change it (MINE is as
    loaded: the STORED value stands), ``KEEP_MINE`` when nobody else did
    (STORED is as loaded: the user's value is written), else ``"both"``."""
    if was is None:
        return None
    if was == digest(mine):
        return TAKE_THEIRS
    if was == digest(stored):
        return KEEP_MINE
    return "both"


def loaded_changes(current: models.Model, data: Mapping[str, Any], fields: Iterable[str]) -> list[str]:
    """The names among FIELDS to write from DATA (a form's cleaned data) into
    CURRENT, a record without versions, read locked: when DATA carries what
    the form loaded (:data:`LOADED`), a field submitted as loaded is left as
    stored (the user did not change it), a field stored as loaded is written
    (nobody else changed it), and a field both changed raises
    :class:`StaleFields`, writing nothing. Without it, every field in DATA."""
    names = [n for n in fields if n in data]
    loaded = data.get(LOADED)
    if not isinstance(loaded, dict):
        return names
    write, stale, adopt = [], {}, {}
    for name in names:
        theirs = _value(current, name)
        side = changed_since_loaded(loaded.get(name), data[name], theirs)
        if side in (None, KEEP_MINE):
            write.append(name)
        elif side == TAKE_THEIRS:
            adopt[name] = getattr(current, name)  # only others changed it
        elif _norm(data[name]) != theirs:
            stale[name] = _(
                "Somebody saved this since you opened the form: “%(theirs)s”. Your text is kept here: "
                "save again to store it instead."
            ) % {"theirs": _shown(current, name)}
    if stale:
        raise StaleFields(stale, loaded_digests(current, fields), adopt)
    return write


def _value(obj: Any, name: str) -> Any:
    model = obj.instance_type if hasattr(obj, "instance_type") else type(obj)
    try:
        attname = model._meta.get_field(name).attname
    except Exception:
        attname = name
    return _norm(getattr(obj, attname, getattr(obj, name, None)))


def merge_values(
    *,
    base: Mapping[str, Any] | None,
    steps: Sequence[Step],
    current: Mapping[str, Any],
    submitted: Mapping[str, Any],
    actor_id: Any,
    loaded: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], list[Clash], dict[str, Any]]:
    """The three-way merge on plain values (pure; no database).

    BASE: {field: value} at the user's version (``None`` when unknown: then
    every field that differs counts as changed by the last save in STEPS,
    unless the user's form tells what it loaded, LOADED {field:
    :func:`digest`}: a field submitted as loaded is one the user did not
    change (the current value stands), a field stored as loaded is one
    nobody else changed (the user's value is written)).
    STEPS: the saves after the base, oldest first, the user's own (ACTOR_ID:
    from another window or tab) included. CURRENT: the stored values now.
    SUBMITTED: the user's values for the fields the form carries.

    Returns (write, clashes, adopt): the {field: value} to store, the
    conflicting fields, and {field: current value} the form should take."""
    write: dict[str, Any] = {}
    clashes: list[Clash] = []
    adopt: dict[str, Any] = {}
    for name, raw in submitted.items():
        mine, theirs = _norm(raw), _norm(current.get(name))
        others: Step | None = None
        if base is None:
            side = changed_since_loaded(loaded.get(name) if loaded is not None else None, raw, current.get(name))
            if side == TAKE_THEIRS:
                if mine != theirs:  # the user did not touch it: the value saved since stands
                    adopt[name] = current.get(name)
                continue
            if side == KEEP_MINE:
                write[name] = raw  # nobody else changed it since the user's form loaded it
                continue
            changed_by_others = mine != theirs
            others = steps[-1] if steps else None
        else:
            before = _norm(base.get(name))
            changed_by_others = False
            for step in steps:
                value = _norm(step.values.get(name))
                if value != before:
                    changed_by_others, others = True, step
                before = value
            if changed_by_others and mine == _norm(base.get(name)):
                if mine != theirs:
                    adopt[name] = current.get(name)
                continue
        if mine == theirs:
            continue
        if not changed_by_others:
            write[name] = raw
            continue
        clashes.append(
            Clash(
                name=name,
                mine=raw,
                theirs=current.get(name),
                who=others.who if others else "",
                when=others.when if others else None,
                own=others is not None and actor_id is not None and others.user_id == actor_id,
                base=base.get(name) if base is not None else None,
            )
        )
    return write, clashes, adopt


def _who(record: Any) -> str:
    user = getattr(record, "history_user", None)
    return str(getattr(user, "full_name", "") or user or "") if user else ""


def history_steps(
    current: models.Model,
    version: int,
    fields: Iterable[str],
    *,
    actor: Any = None,
    exact: bool = False,
    own_series: bool = False,
) -> tuple[dict[str, Any] | None, list[Step]]:
    """The base values of CURRENT at VERSION and the later saves, from its
    simple-history records. The base is ``None`` when no record of that
    version exists (then every difference counts as somebody else's).

    A version inside a collapsed series of saves (:mod:`iop.collapse`) has
    no record of its own: the base is then ``None`` and the steps start with
    the series, so every field that differs is a conflict naming who saved
    it (ACTOR, a user or an id, too: a form at such a version is in another
    window of theirs, or of somebody else). With OWN_SERIES (for an action
    that writes no field: :func:`require_unchanged_by_others`) a series
    ACTOR made stands for its newest state instead. EXACT (for re-making a
    merged text) accepts only a record of VERSION itself."""
    names = list(fields)
    if version == current.version:  # type: ignore[attr-defined]
        return {n: _value(current, n) for n in names}, []
    # Versions only grow, so the record of VERSION, the series that covers
    # it and every save after them are the records at VERSION or later: one query.
    rows = list(
        current.history.filter(version__gte=version)  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("history_id")
    )
    base = next((r for r in reversed(rows) if r.version == version), None)
    unknown = False
    if base is None:
        base = None if exact else collapse.series_in(rows, version)
        if base is None:
            return None, []
        actor_id = getattr(actor, "pk", actor)
        unknown = not own_series or actor_id is None or base.history_user_id != actor_id
    start = base.history_id
    later = [r for r in rows if r.history_id > start or (unknown and r.history_id == start)]
    steps = [Step(r.history_user_id, _who(r), r.history_date, {n: _value(r, n) for n in names}) for r in later]
    if unknown:
        return None, steps
    return {n: _value(base, n) for n in names}, steps


def locked(model: type[M], pk: Any) -> M:
    """The row, locked (SELECT … FOR UPDATE) until the transaction ends. The
    row's foreign keys as read are kept on it (``locked_relations``): while
    they hold those values, saving need not check them again (see
    :func:`unchanged_relations`)."""
    row = model._default_manager.select_for_update().get(pk=pk)
    row.locked_relations = {  # type: ignore[attr-defined]
        f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if f.is_relation
    }
    return row


def _constraint_fields(model: type[models.Model]) -> list[set[str]] | None:
    """The field names each unique or check constraint of MODEL reads (None
    when one reads something this can not tell: an expression)."""
    meta = model._meta
    groups: list[set[str]] = [set(names) for names in meta.unique_together]
    for constraint in meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            groups.append(set(Q(constraint.condition).referenced_base_fields))
        elif isinstance(constraint, models.UniqueConstraint) and not constraint.expressions:
            names = set(constraint.fields)
            if constraint.condition is not None:
                names |= set(Q(constraint.condition).referenced_base_fields)
            groups.append(names)
        else:
            return None
    return groups


def unchanged_relations(row: models.Model) -> list[str]:
    """The foreign keys of ROW (read by :func:`locked`) that still hold the
    values read under the lock, and that no constraint reads together with
    another field: ``full_clean(exclude=…)`` may leave them out. The rows
    they point to exist (the database keeps that), and the constraints on
    them alone held when the row was read, so checking them again would only
    cost queries. Empty for a row not read by :func:`locked`."""
    loaded: dict[str, Any] | None = getattr(row, "locked_relations", None)
    if not loaded:
        return []
    groups = _constraint_fields(type(row))
    if groups is None:
        return []
    fields = {
        f.name: f
        for f in row._meta.concrete_fields
        if f.is_relation and f.attname in loaded and loaded[f.attname] == getattr(row, f.attname)
    }
    for names in groups:
        if names & set(fields) and not names <= set(fields):
            for name in names:
                fields.pop(name, None)
    return [name for name, f in fields.items() if not f.unique and not f.primary_key]


@dataclass
class Merged:
    """What :func:`merge` did: the fields written, and {field: value} of
    fields somebody else changed meanwhile that the user's form still shows
    the old value of (the page should take them)."""

    written: list[str]
    adopted: dict[str, Any]


def merge(current: M, *, version: int, actor: Any, data: Mapping[str, Any], fields: Iterable[str]) -> Merged:
    """Merge DATA (the user's form values, started from VERSION) into the
    locked row CURRENT, field by field, for the FIELDS present in DATA.

    Sets the changed fields on CURRENT and returns a :class:`Merged`; the
    caller bumps the version and saves. Raises :class:`EditConflict`
    (writing nothing) when a field the user changed was changed by somebody
    else too. The result is also kept on CURRENT as ``merged``."""
    names = [n for n in fields if n in data]
    base, steps = history_steps(current, version, names, actor=actor)
    write, clashes, adopt = merge_values(
        base=base,
        steps=steps,
        current={n: _value(current, n) for n in names},
        submitted={n: data[n] for n in names},
        actor_id=getattr(actor, "pk", actor),
        loaded=data.get(LOADED) if isinstance(data.get(LOADED), dict) else None,
    )
    if clashes:
        if base is None:
            _mark_stale(current, version, clashes)
        raise EditConflict(current, clashes, adopt)
    for name, value in write.items():
        setattr(current, name, value)
    result = Merged(list(write), adopt)
    current.merged = result  # type: ignore[attr-defined]
    return result


#: Earlier saves :func:`_mark_stale` compares with.
STALE_LOOKBACK = 5


def _mark_stale(current: models.Model, version: int, clashes: list[Clash]) -> None:
    """Mark the CLASHES (from a form at VERSION, whose own values are lost
    in a collapsed series) whose submitted value is one the field held in
    one of the :data:`STALE_LOOKBACK` saves before VERSION: a form left open
    since then, not text the user wrote. The conflict box then proposes the
    newer text for it instead of the form's. One query."""
    earlier = list(
        current.history.filter(version__lt=version).order_by("-history_id")[:STALE_LOOKBACK]  # type: ignore[attr-defined]
    )
    for clash in clashes:
        held = {_norm(_value(row, clash.name)) for row in earlier}
        clash.stale = _norm(clash.mine) in held


def require_unchanged_by_others(current: models.Model, *, version: int, actor: Any) -> None:
    """For an irreversible action on CURRENT seen at VERSION: raise
    :class:`EditConflict` when somebody other than ACTOR saved it since.
    The actor's own saves in between (in-page autosave) are no reason to refuse."""
    if version == current.version:  # type: ignore[attr-defined]
        return
    if version > current.version:  # type: ignore[attr-defined]
        raise EditConflict(current)
    base, steps = history_steps(current, version, [], actor=actor, own_series=True)
    actor_id = getattr(actor, "pk", actor)
    if base is None or any(step.user_id != actor_id for step in steps):
        raise EditConflict(current)


# --- merging texts -------------------------------------------------------------------


@dataclass
class MergedText:
    """A proposed merge: TEXT, and CLEAN when no part was changed by both."""

    text: str
    clean: bool


#: Words and the whitespace between them: the units of a merge inside a paragraph.
_WORDS = re.compile(r"\s+|\S+")


class _Matcher(difflib.SequenceMatcher):  # type: ignore[type-arg]
    """difflib's matcher without the "popular element" heuristic: in a long
    report the common words would otherwise count as junk and misalign."""

    def __init__(self, isjunk: Any = None, a: Any = "", b: Any = "", autojunk: bool = True) -> None:
        super().__init__(isjunk, a, b, autojunk=False)


def _merge_words(base: str, mine: str, theirs: str) -> str | None:
    """Word-level three-way merge of one changed region; None on an overlap."""
    out: list[str] = []
    b, m, t = (_WORDS.findall(text) for text in (base, mine, theirs))
    merger = Merge3(b, m, t, sequence_matcher=_Matcher)  # type: ignore[arg-type]
    for group in merger.merge_groups():
        if group[0] == "conflict":
            return None
        out.extend(group[1])
    return "".join(out)


def conflict_markers(text: str) -> bool:
    """Whether TEXT still holds the marker lines :func:`merge_text` puts
    around the two versions of an overlap (in the active language): such a
    text is a choice not yet made, never a record's content."""
    lines = {line.strip() for line in _norm(text).split("\n")}
    return f">>> {_('Your text:')}" in lines and f"<<< {_('End of the two versions')}" in lines


def merge_text(base: Any, mine: Any, theirs: Any) -> MergedText:
    """Three-way merge of the texts MINE and THEIRS, both edited from BASE
    (``None`` when the base is unknown: then the texts share nothing).

    Lines (paragraphs) changed on one side only are taken from that side;
    lines changed on both are merged word by word when the edits touch
    different words. What is left, an overlap, shows both versions of only
    that part between marker lines (">>> Your text:" / ">>> The other text:"
    / "<<< End of the two versions", in the user's language); then CLEAN is
    False. Line ends are normalised to ``\n``."""
    base_text, mine_text, theirs_text = (_norm(str(v or "")) for v in (base, mine, theirs))
    if mine_text == theirs_text or theirs_text == base_text:
        return MergedText(mine_text, True)
    if mine_text == base_text:
        return MergedText(theirs_text, True)

    def lines(text: str) -> list[str]:
        return (text + "\n").splitlines(keepends=True)

    out: list[str] = []
    clean = True
    sides = (lines(text) for text in (base_text, mine_text, theirs_text))
    merger = Merge3(*sides, sequence_matcher=_Matcher)  # type: ignore[arg-type,misc]
    for group in merger.merge_groups():
        if group[0] != "conflict":
            out.extend(group[1])
            continue
        _kind, b, a, t = group
        words = _merge_words("".join(b), "".join(a), "".join(t))
        if words is not None:
            out.append(words)
            continue
        clean = False
        out += [f">>> {_('Your text:')}\n", *a, f">>> {_('The other text:')}\n", *t]
        out.append(f"<<< {_('End of the two versions')}\n")
    return MergedText("".join(out)[:-1], clean)


# --- forms ---------------------------------------------------------------------------


def as_post(value: Any) -> str:
    """VALUE as a browser would post it (dates ISO, models by pk, None empty)."""
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def choice_key(prefix: str, name: str) -> str:
    """The input name of the keep/take/merge choice for field NAME."""
    return f"{prefix}-choice-{name}" if prefix else f"choice-{name}"


def merged_key(prefix: str, name: str) -> str:
    """The input name of the merged text for field NAME."""
    return f"{prefix}-merged-{name}" if prefix else f"merged-{name}"


def theirs_key(prefix: str, name: str) -> str:
    """The input name carrying the other person's value for field NAME."""
    return f"{prefix}-theirs-{name}" if prefix else f"theirs-{name}"


def base_key(prefix: str, name: str) -> str:
    """The input name carrying the base value (the user's version) of field NAME."""
    return f"{prefix}-base-{name}" if prefix else f"base-{name}"


def was_key(prefix: str, name: str) -> str:
    """The input name carrying the user's text of field NAME the merge was proposed from."""
    return f"{prefix}-was-{name}" if prefix else f"was-{name}"


def base_version_key(prefix: str) -> str:
    """The input name carrying the version the user started from before the conflict."""
    return f"{prefix}-conflict-version" if prefix else "conflict-version"


def _history_base(current: models.Model | None, version: Any, name: str) -> tuple[bool, Any]:
    """(True, value) of field NAME of CURRENT at VERSION read from its
    history, or (False, None) when it cannot be read (no document, no such
    model field, no record of that version, a version that is no number)."""
    if current is None or getattr(current, "pk", None) is None or not hasattr(current, "history"):
        return False, None
    try:
        current._meta.get_field(name)
        number = int(str(version))
    except Exception:
        return False, None
    base, _steps = history_steps(current, number, [name], exact=True)
    return (True, base[name]) if base is not None else (False, None)


def apply_choices(
    data: QueryDict, *, prefix: str, fields: Iterable[str], current: models.Model | None = None
) -> tuple[QueryDict, bool]:
    """Turn the conflict choices posted with a form into plain form data.

    For each field with a choice: ``theirs`` puts the other person's value
    (posted back in a hidden field) in the field, ``mine`` leaves the field
    as typed, ``merge`` puts the merged text in the field. When the user
    typed on in the field after the merge was proposed, the merged text is
    stale: if the user did not edit it, the merge is made again from the
    field as it stands now and used when it is clean; otherwise the form
    goes back to the version the user started from, so the save is a
    conflict again, shown with the text as it stands (nothing typed is
    lost, nothing is written). Returns (data, whether any choice was
    posted); DATA itself is not changed.

    CURRENT is the document edited: the base text of a re-made merge is then
    read from its history at the version the user started from (posted with
    the conflict), never taken from the page; the posted base is used only
    when the history cannot tell."""
    out = data.copy()
    chose = False
    for name in fields:
        key = f"{prefix}-{name}" if prefix else name
        choice = data.get(choice_key(prefix, name))
        if choice is None:
            continue
        chose = True
        if choice == TAKE_THEIRS:
            out[key] = data.get(theirs_key(prefix, name), "")
        elif choice == MERGE and merged_key(prefix, name) in data:
            merged, was, live = data.get(merged_key(prefix, name), ""), data.get(was_key(prefix, name)), data.get(key)
            if was is None or live is None or _norm(live) == _norm(was):
                out[key] = merged
                continue
            base, theirs = data.get(base_key(prefix, name), ""), data.get(theirs_key(prefix, name), "")
            known, stored = _history_base(current, data.get(base_version_key(prefix)), name)
            if known:
                base = stored
            fresh = merge_text(base, live, theirs)
            if _norm(merged) == merge_text(base, was, theirs).text and fresh.clean:
                out[key] = fresh.text
            elif base_version_key(prefix) in data:
                out[f"{prefix}-version" if prefix else "version"] = data.get(base_version_key(prefix), "")
                # What the form loaded was the text after the conflict: back at the earlier version it
                # would tell nothing true, and the save must be the conflict again.
                out[f"{prefix}-{LOADED}" if prefix else LOADED] = ""
            else:  # a form from before the conflict carried its version: the merged text as chosen
                out[key] = merged
    return out, chose


def rebase(form: Any, conflict: EditConflict, labels: Mapping[str, str] | None = None) -> list[Clash]:
    """Move the bound FORM to the current version after CONFLICT: the
    version field takes the current version, fields only others changed take
    their values, and each clash learns its label and input names.

    Returns the clashes for the conflict view (``iop/_conflict.html``)."""
    data = form.data.copy()
    started = data.get(form.add_prefix("version"), "")
    data[form.add_prefix("version")] = str(conflict.current.version)  # type: ignore[attr-defined]
    if LOADED in form.fields:  # the form now stands on the current values
        data[form.add_prefix(LOADED)] = loaded_digests(conflict.current, form.fields)
    for name, value in conflict.adopt.items():
        data[form.add_prefix(name)] = as_post(value)
    form.data = data
    form.adopted_names = list(conflict.adopt)
    prefix = form.prefix or ""
    for clash in conflict.clashes:
        clash.key = form.add_prefix(clash.name) if clash.name in form.fields else clash.name
        clash.choice = choice_key(prefix, clash.name)
        clash.merged = merged_key(prefix, clash.name)
        clash.theirs_name = theirs_key(prefix, clash.name)
        clash.theirs_post = as_post(clash.theirs)
        clash.label = (labels or {}).get(clash.name) or (
            str(form.fields[clash.name].label) if clash.name in form.fields else clash.name
        )
        widget = form.fields[clash.name].widget if clash.name in form.fields else None
        clash.text = clash.text and isinstance(clash.mine, str) and isinstance(widget, Textarea)
        clash.base_name, clash.base_post = base_key(prefix, clash.name), as_post(clash.base)
        clash.was_name = was_key(prefix, clash.name)
        clash.version_name, clash.version_post = base_version_key(prefix), started
        if clash.text:
            proposed = merge_text(clash.base, clash.mine, clash.theirs)
            clash.proposal, clash.clean = proposed.text, proposed.clean
            edited = data.get(clash.merged)
            if edited is not None and data.get(clash.was_name) is not None:
                posted = (data.get(clash.base_name, ""), data.get(clash.was_name), data.get(clash.theirs_name))
                before = merge_text(*posted)
                if _norm(edited) != before.text:  # the user's own merged text is kept, not replaced
                    clash.proposal, clash.clean, clash.own_merge = _norm(edited), False, True
                    clash.typed_on = _norm(data.get(clash.key, "")) != _norm(data.get(clash.was_name))
        chosen = data.get(clash.choice)
        if chosen == MERGE and clash.text and (clash.own_merge or clash.clean):
            clash.checked = MERGE  # the user's merged text stays chosen: never flipped to another text
        elif clash.stale:
            clash.checked = TAKE_THEIRS
        elif clash.text and clash.clean:
            clash.checked = MERGE
    return conflict.clashes
