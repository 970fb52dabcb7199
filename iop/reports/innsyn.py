"""A pupil's whole file for innsyn, and the archive export.

*Innsyn* (forvaltningsloven §§ 18–19 partsinnsyn; personvernforordningen
art. 15; opplæringslova § 11-6): the coordinator makes the pupil's whole
file — every record every app keeps, every kept version, the consents, the
logs and the access log (:mod:`students.pupil_file`) — as one PDF
(document ``"innsyn"`` of :mod:`iop.reports.documents`, so a large file is
made on a worker) and as one JSON document (:data:`students.pupil_file.SCHEMA`).

*Archive* (arkivlova; shaped after Noark 5 without implementing it): a ZIP
with each document the registry renders for the pupil as PDF/A-3b, the whole
file as PDF/A too, and ``metadata.json`` (:data:`ARCHIVE_SCHEMA`) naming each
file with its title, document type, dates, status, SHA-256 and the retention
setting that applies.

Both are for those who manage the pupil's school (the access layer's
``ARCHIVE``: coordinator and rektor, also for an archived pupil); teachers,
PPT and guardians get 403, strangers 404. Every export is written to the
access log.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import tempfile
import zipfile
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from iop.models import AccessLogEntry
from students import access
from students.access import Action
from students.models import Pupil, User
from students.pupil_file import FilePart, file_as_json, pupil_file

from . import documents, rendering
from .documents import Made

#: The shape of ``metadata.json`` in the archive export.
ARCHIVE_SCHEMA = "iop.pupil-archive/1"
#: The retention settings (years after archiving, 0: kept for good) listed in ``metadata.json``.
RETENTION_SETTINGS = (
    "RETENTION_PUPIL_RECORDS_YEARS",
    "RETENTION_ACCESS_LOG_YEARS",
    "RETENTION_FOLLOWUP_YEARS",
    "RETENTION_HISTORY_YEARS",
)
Kind = AccessLogEntry.Kind


def _pupils() -> QuerySet[Pupil]:
    return Pupil.objects.select_related("school__skoleeier")


def file_pupil(user: User, object_id: str) -> Pupil:
    """The pupil whose whole file USER may make (``Http404`` for a stranger or
    a missing pupil, ``PermissionDenied`` for one who sees but may not archive
    or export, see ``students.access.Action.ARCHIVE``)."""
    return access.get_pupil(user, object_id, Action.ARCHIVE, queryset=_pupils())


def _language(pupil: Pupil) -> str:
    return pupil.school.language or translation.get_language() or settings.LANGUAGE_CODE


#: The first word of the download names, in the school's language.
ACCESS_COPY = pgettext_lazy("download file name", "access-copy")
ARCHIVE = pgettext_lazy("download file name", "archive")
WHOLE_FILE = pgettext_lazy("download file name", "whole-file")


def _download_name(pupil: Pupil, word: Promise, moment: datetime.datetime, extension: str) -> str:
    """``<word>-<last name>-<first name>-<YYYY-MM-DD>.<extension>``, WORD in the school's language."""
    with translation.override(_language(pupil)):
        day = f"{timezone.localdate(moment):%Y-%m-%d}"
        return documents.slug(word, pupil.last_name, pupil.first_name, day) + extension


def _parts(pupil: Pupil) -> list[FilePart]:
    with translation.override(_language(pupil)):
        return pupil_file(pupil)


def render_file(user: User, object_id: str, max_chars: int | None) -> Made:
    """The whole file of the pupil OBJECT_ID as PDF, in the school's language
    (``TooLargeToRender`` past MAX_CHARS characters of HTML)."""
    pupil = file_pupil(user, object_id)
    language = _language(pupil)
    now = timezone.now()
    with translation.override(language):
        parts = pupil_file(pupil)
        context = {
            "pupil": pupil,
            "parts": parts,
            "title": _("The pupil's whole file"),
            "made_by": user.full_name,
            "made_at": now,
            "doc_date": timezone.localdate(now),
            "draft": False,
            # A Swedish pupil's file cites Swedish law (the chain's law is Norwegian).
            "swedish": not access.offers_chain(pupil),
        }
        rendered = rendering.render_pdf(
            "reports/pdf/pupil_file.html",
            context,
            language=language,
            identifier=f"innsyn:{pupil.pk}",
            max_chars=max_chars,
        )
    name = _download_name(pupil, ACCESS_COPY, now, ".pdf")
    return Made(pupil=pupil, pdf=rendered.pdf, filename=name, kind=Kind.FILE, object_id=pupil.pk)


def render_json(user: User, object_id: str, max_chars: int | None = None) -> Made:
    """The whole file of the pupil OBJECT_ID (resolved as USER by
    :func:`file_pupil`) as UTF-8 JSON (shape:
    :func:`students.pupil_file.file_as_json`), with its download name; the
    access log records it (purpose JSON) when the person fetches it.
    MAX_CHARS is not used (the document registry's signature)."""
    pupil = file_pupil(user, object_id)
    now = timezone.now()
    with translation.override(_language(pupil)):
        data = file_as_json(pupil, pupil_file(pupil), made_by=user.full_name, made_at=now)
    name = _download_name(pupil, ACCESS_COPY, now, ".json")
    return Made(
        pupil=pupil,
        pdf=json.dumps(data, ensure_ascii=False, indent=2).encode(),
        filename=name,
        kind=Kind.FILE,
        object_id=pupil.pk,
        purpose=AccessLogEntry.Purpose.JSON,
    )


def _iso(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _zip_time(moment: datetime.datetime) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(moment)
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


def render_archive(user: User, object_id: str, max_chars: int | None = None) -> Made:
    """The archive export of the pupil OBJECT_ID (resolved as USER by
    :func:`file_pupil`): a ZIP with one PDF/A-3b per document the registry
    lists (:func:`documents.archivable`), ``<whole-file>.pdf`` (the whole
    file, PDF/A; the name in the school's language: ``hele-mappen.pdf``) and ``metadata.json``::

        {"schema": ARCHIVE_SCHEMA, "made_at", "made_by",
         "pupil": {"id", "first_name", "last_name", "birth_date", "archived_at"},
         "school": {"id", "name", "school_owner"},
         "files": [{"name", "title", "document_type", "record_id", "status",
                    "dates": {name: ISO 8601 | null}, "sha256", "size",
                    "retention": {"setting", "years"}}],
         "retention": {setting: years}}

    ``years`` 0 means kept for good (see the RETENTION_* settings); the
    whole file holds the access log and the follow-up records too, whose
    periods are in the top-level ``retention``. The ZIP is written to a
    temporary file on disk (``Made.file``, deleted when closed), each PDF
    written into it and let go before the next is made, so memory holds one
    document at a time. Every document is written to the access log
    (purpose ZIP) when the person fetches the file (``Made.reads``).
    Rendering runs without the web's size cap (MAX_CHARS is not used: this
    runs on a worker)."""
    pupil = file_pupil(user, object_id)
    now = timezone.now()
    language = _language(pupil)
    files: list[dict[str, Any]] = []
    reads: list[tuple[str, str]] = []
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the caller, who closes it)
    try:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive, rendering.archival():
            with translation.override(language):
                entries = documents.archivable(pupil)
                whole = documents.Archivable(
                    str(pupil.pk), _("The pupil's whole file"), "", {"made_at": now}, "RETENTION_PUPIL_RECORDS_YEARS"
                )
                for number, (kind, entry) in enumerate([*entries, ("innsyn", whole)], start=1):
                    made = documents.make(kind, user, entry.object_id, None)
                    name = f"{number:03d}-{made.filename}" if kind != "innsyn" else f"{WHOLE_FILE}.pdf"
                    archive.writestr(zipfile.ZipInfo(name, date_time=_zip_time(now)), made.pdf)
                    files.append(
                        {
                            "name": name,
                            "title": entry.title,
                            "document_type": kind,
                            "record_id": entry.object_id,
                            "status": entry.status,
                            "dates": {k: _iso(v) for k, v in entry.dates.items()},
                            "sha256": hashlib.sha256(made.pdf).hexdigest(),
                            "size": len(made.pdf),
                            "format": "PDF/A-3b",
                            "retention": {"setting": entry.retention, "years": getattr(settings, entry.retention)},
                        }
                    )
                    reads.append((made.kind, str(made.object_id)))
                    del made  # one document in memory at a time
            metadata = {
                "schema": ARCHIVE_SCHEMA,
                "made_at": now.isoformat(),
                "made_by": user.full_name,
                "pupil": {
                    "id": str(pupil.pk),
                    "first_name": pupil.first_name,
                    "last_name": pupil.last_name,
                    "birth_date": pupil.birth_date.isoformat(),
                    "archived_at": _iso(pupil.archived_at),
                },
                "school": {
                    "id": str(pupil.school.pk),
                    "name": pupil.school.name,
                    "school_owner": str(pupil.school.skoleeier),
                },
                "files": files,
                "retention": {name: getattr(settings, name) for name in RETENTION_SETTINGS},
            }
            archive.writestr(
                zipfile.ZipInfo("metadata.json", date_time=_zip_time(now)),
                json.dumps(metadata, ensure_ascii=False, indent=2),
            )
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    name = _download_name(pupil, ARCHIVE, now, ".zip")
    return Made(
        pupil=pupil,
        pdf=b"",
        filename=name,
        kind=Kind.FILE,
        object_id=pupil.pk,
        file=handle,
        reads=tuple(reads),
        purpose=AccessLogEntry.Purpose.ZIP,
    )
