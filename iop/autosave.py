"""The answers to an htmx save of a versioned form (see :mod:`iop.concurrency`),
shared by every app whose documents save themselves while the author types.

The page's form posts with ``hx-post`` into its status area; a save that went
through answers "Saved hh:mm" with the new version (and the fields others
changed meanwhile) out of band; a save that did not answers a short message
there, and the text stays in the form.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .concurrency import LOADED, Clash


def autosaved(
    request: HttpRequest, form: BaseForm, saved: models.Model, context: dict[str, Any] | None = None
) -> HttpResponse:
    """The answer to an htmx save that went through: "Saved hh:mm", the new
    version out of band, and the fields others changed meanwhile (merged in
    by the service) out of band too, so the next save does not undo them."""
    fresh = form.__class__(instance=saved, prefix=form.prefix)  # type: ignore[call-arg]
    merged = getattr(saved, "merged", None)
    adopted = [fresh[name] for name in (merged.adopted if merged else {}) if name in fresh.fields]
    for bound in adopted:
        bound.field.widget.attrs["hx-swap-oob"] = "true"
    loaded = None
    if LOADED in fresh.fields:  # what the form now stands on, for the next save
        fresh.fields[LOADED].widget.attrs["hx-swap-oob"] = "true"
        loaded = fresh[LOADED]
    context = {
        **(context or {}),
        "saved": saved,
        "version_id": f"id_{form.add_prefix('version')}",
        "version_name": form.add_prefix("version"),
        "at": timezone.localtime(),
        "adopted": adopted,
        "loaded": loaded,
    }
    return render(request, "iop/_saved.html", context)


def autosave_refused(request: HttpRequest, form: BaseForm, theirs: list[Clash] | None = None) -> HttpResponse:
    """The answer to an htmx save of a whole-page form that did not go
    through: a short message in the status area; the text stays in the form.

    On a conflict (THEIRS: the clashes from :func:`iop.concurrency.rebase`)
    the conflict box with both texts and the keep/take/merge choice comes
    out of band into the form's ``#autosave-conflict``, with the current
    version and the fields only others changed, so pressing Save applies
    the choice. The page pauses its autosave while the box is open
    (``static/js/drafts.js``). Otherwise pressing Save shows the errors."""
    if not theirs:
        message = _("Not saved: the form has something to correct. Press Save to see what.")
        return HttpResponse(format_html('<span class="draft-error" role="alert">{}</span>', message))
    names = ["version", *(n for n in [LOADED, *getattr(form, "adopted_names", [])] if n in form.fields)]
    swapped = [form[name] for name in names]  # bound to the rebased data: the current values
    for bound in swapped:
        bound.field.widget.attrs["hx-swap-oob"] = "true"
    context = {"theirs": theirs, "swapped": swapped}
    return render(request, "iop/_autosave_refused.html", context)
