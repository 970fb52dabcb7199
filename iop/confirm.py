"""The confirmation page of an irreversible action, shared by the apps'
views (a page without JavaScript that posts ``confirm=1`` back)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirm_page(
    request: HttpRequest,
    *,
    document: Any,
    question: str,
    consequence: str,
    button: str,
    back: str,
    problems: list[str] | None = None,
    warnings: list[str] | None = None,
    carry: dict[str, Any] | None = None,
    refused: str = "",
    deletes: bool = False,
    changes: str = "",
    pupil: Any = None,
) -> HttpResponse:
    """The confirmation of an irreversible action, without JavaScript: a page
    with a form posting to the same address with ``confirm=1`` and the version
    (and any data in CARRY) in hidden fields. PROBLEMS (e.g. the publishing
    checklist, recomputed now) stop it: then there is no "yes" button;
    WARNINGS (what it lacks without being stopped) are shown above the button.
    REFUSED (the action would do nothing) is said instead of the question,
    with no "yes" button either. DELETES: the "yes" deletes (a danger button).
    CHANGES: the address of the page that shows what the action changes.
    DOCUMENT is named in the crumbs (with BACK, its page) under PUPIL
    (default: the document's pupil)."""
    context = {
        "refused": refused,
        "document": document,
        "pupil": pupil or getattr(document, "pupil", None),
        "question": question,
        "consequence": consequence,
        "button": button,
        "back": back,
        "problems": problems or [],
        "warnings": warnings or [],
        "version": posted_version(request) or getattr(document, "version", 0),
        "carry": sorted((carry or {}).items()),
        "deletes": deletes,
        "changes": changes,
    }
    return render(request, "iop/confirm.html", context)


def posted_version(request: HttpRequest) -> int:
    """The ``version`` a form posted (0 when none or not a number)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0
