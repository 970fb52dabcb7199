"""PDFs a person downloads, made while they wait or, when large, on a worker.

Every downloadable PDF of a pupil's plans is a *document*: a name (``"iop"``,
``"report"``, ``"iup"``, and what other apps register, e.g. followup's
``"referral"``), a function that finds whose it is, and a renderer::

    pupil(user, object_id) -> Pupil
    render(user, object_id, max_chars) -> Made

Both resolve the record through the access layer as USER (a
foreign or missing record raises ``Http404``, as on the page) and renders at
most MAX_CHARS characters of HTML (``None``: no cap) or raises
:class:`iop.limits.TooLargeToRender`.

:func:`respond` is what a download view returns: the PDF at once when its
HTML is within :data:`iop.limits.PDF_WEB_MAX_CHARS`, else a
:class:`~iop.reports.models.PdfJob` for a worker and a redirect to the page
that follows it. Either way the read is written to the access log when the
person gets the file (the worker's rendering is not a read).
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header

from iop.limits import PDF_WEB_MAX_CHARS, TooLargeToRender
from students.models import Pupil, User

PDF_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


@dataclass(frozen=True)
class Made:
    """A rendered PDF: whose it is, its bytes and its download name, and
    what the access log records when it is handed out (``kind``: an
    ``AccessLogEntry.Kind`` value; ``object_id``: the record's id)."""

    pupil: Pupil
    pdf: bytes
    filename: str
    kind: str
    object_id: Any
    inline: bool = False


@dataclass(frozen=True)
class Archivable:
    """One record of a pupil that the archive export renders as document
    NAME (see :mod:`iop.reports.innsyn`): its id, title, status (readable
    text) and dates (name → date), and the retention setting
    (``RETENTION_*`` in settings) that applies to it."""

    object_id: str
    title: str
    status: str
    dates: dict[str, Any]
    retention: str = "RETENTION_PUPIL_RECORDS_YEARS"


Renderer = Callable[[User, str, "int | None"], Made]
PupilOf = Callable[[User, str], Pupil]
Lister = Callable[[Pupil], "list[Archivable]"]

_DOCUMENTS: dict[str, tuple[PupilOf, Renderer]] = {}
_LISTERS: dict[str, Lister] = {}


def register(name: str, *, pupil: PupilOf, render: Renderer, of_pupil: Lister | None = None) -> None:
    """Make NAME downloadable through :func:`respond` (at import or in
    ``AppConfig.ready``); OF_PUPIL lists a pupil's records of this kind for
    the archive export (one query; none: not archived one by one)."""
    _DOCUMENTS[name] = (pupil, render)
    if of_pupil is not None:
        _LISTERS[name] = of_pupil


def archivable(pupil: Pupil) -> list[tuple[str, Archivable]]:
    """Every record of PUPIL the archive export renders: ``(document name, record)``,
    in registration order (one query per document kind)."""
    return [(name, entry) for name, lister in _LISTERS.items() for entry in lister(pupil)]


def resolve_pupil(name: str, user: User, object_id: str) -> Pupil:
    """The pupil of document NAME of OBJECT_ID, as USER may see it (``Http404`` otherwise)."""
    return _DOCUMENTS[name][0](user, object_id)


def make(name: str, user: User, object_id: str, max_chars: int | None) -> Made:
    """Render document NAME of OBJECT_ID as USER (``KeyError`` for an unknown NAME)."""
    return _DOCUMENTS[name][1](user, object_id, max_chars)


#: Letters that do not decompose into an ASCII letter and a mark.
_ASCII_LETTERS = str.maketrans(
    {"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "ð": "d", "Ð": "D", "þ": "th", "ß": "ss"}
    | {"ŋ": "ng", "Ŋ": "Ng", "đ": "d", "Đ": "D", "ŧ": "t", "Ŧ": "T"}  # Sámi
)


def ascii_name(filename: str) -> str:
    """FILENAME in plain ASCII for old clients: æ → ae, ø → o, å → a, č → c,
    other letters without an ASCII form dropped ("download" if nothing is left)."""
    text = unicodedata.normalize("NFKD", filename.translate(_ASCII_LETTERS))
    out = "".join(c for c in text if c.isascii() and (c.isalnum() or c in "-_. ")).strip(" .")
    return out if out.strip("-_.") else "download"


def disposition(filename: str, *, attachment: bool = True) -> str:
    """The Content-Disposition value for a download named FILENAME (RFC 6266):
    an ASCII ``filename="…"`` every client reads and, when the name has other
    letters (æ, ø, å, č, …), the exact name as ``filename*=utf-8''…`` (RFC 5987),
    which clients that know it prefer. Both parts come from Django's
    :func:`~django.utils.http.content_disposition_header`, which quotes them."""
    fallback = content_disposition_header(attachment, ascii_name(filename)) or "attachment"
    if filename.isascii():
        return content_disposition_header(attachment, filename) or fallback
    exact = content_disposition_header(attachment, filename) or ""
    return f"{fallback}; {exact.split('; ', 1)[1]}" if "; " in exact else fallback


def pdf_response(data: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """A PDF download named FILENAME (see :func:`disposition`; INLINE: shown in
    the browser, saved under the same name), never cached, never sniffed."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = disposition(filename, attachment=not inline)
    for key, value in PDF_HEADERS.items():
        response[key] = value
    return response


def respond(request: HttpRequest, name: str, object_id: Any) -> HttpResponse:
    """The PDF of document NAME for the logged-in person: at once, or — when
    it is too large to make while they wait — a job for a worker and a
    redirect to its page (``reports:pdf_job``)."""
    from iop import services as iop_services
    from iop.models import AccessLogEntry

    from . import services

    user: User = request.user  # type: ignore[assignment]
    try:
        made = make(name, user, str(object_id), PDF_WEB_MAX_CHARS)
    except TooLargeToRender:
        job = services.pdf_job_start(actor=user, document=name, object_id=str(object_id))
        return redirect("reports:pdf_job", pk=job.pk)
    iop_services.log_read(
        actor=user, pupil=made.pupil, kind=made.kind, object_id=made.object_id, purpose=AccessLogEntry.Purpose.PDF
    )
    return pdf_response(made.pdf, made.filename, inline=made.inline)


def slug(*parts: object) -> str:
    """A download name from PARTS: lower case, joined by '-', letters (also
    æ, ø, å) and digits kept, everything else dropped."""
    text = "-".join(str(p) for p in parts if p not in (None, "")).lower()
    return "".join(c for c in text if c.isalnum() or c in "-.").strip("-.") or str(uuid.uuid4())[:8]
