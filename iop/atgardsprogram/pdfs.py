"""The Swedish support decisions (an åtgärdsprogram, or a decision not to
draw one up) as downloadable documents of :mod:`iop.reports.documents`:
rendered for the download button and listed in the archive export.
Registered when the app is ready. Written in the school's language, as
every legal document (see :mod:`iop.reports.pdfs`); the decision carries the
appeal information of skollagen 28 kap. 16 § (``APPEAL_DAYS``)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from iop.models import AccessLogEntry
from iop.reports import documents, rendering
from iop.reports.documents import Archivable, Made
from iop.selectors import consenting_guardians
from students.models import Pupil, User

from . import selectors
from .models import APPEAL_DAYS, Atgardsprogram


def _programme_pupil(user: User, object_id: str) -> Pupil:
    return selectors.programme_for(user, object_id).pupil


def render_programme(user: User, object_id: str, max_chars: int | None) -> Made:
    """The decided decision OBJECT_ID as USER may read it, in the school's
    language: ``Made`` with the PDF and its download name (``Http404`` when
    USER may not read it or while it is a draft: a draft is no decision)."""
    programme = selectors.programme_for(user, object_id)
    if programme.is_draft:
        raise Http404
    pupil = programme.pupil
    rendered = rendering.render_pdf(
        "atgardsprogram/pdf.html",
        {
            "pupil": pupil,
            "programme": programme,
            "appeal_days": APPEAL_DAYS,
            # The letter's date: the day of the decision.
            "letter_date": programme.decided_on or timezone.localdate(),
            # Sent to the pupil's guardians (förvaltningslagen 33 §: the decision is made known to the parties).
            "to": list(consenting_guardians(pupil).values_list("full_name", flat=True)),
        },
        language=pupil.school.language,
        identifier=str(programme.pk),
        max_chars=max_chars,
    )
    kind = str(programme.get_kind_display()).split()
    name = documents.slug(*kind, pupil.last_name, pupil.first_name, programme.decided_on)
    return Made(
        pupil=pupil,
        pdf=rendered.pdf,
        filename=f"{name}.pdf",
        kind=AccessLogEntry.Kind.ATGARDSPROGRAM,
        object_id=programme.pk,
    )


def _programme_archivable(pupil: Pupil) -> list[Archivable]:
    """The pupil's decided support decisions (drafts are not decisions): one query."""
    rows = Atgardsprogram.objects.filter(pupil=pupil).exclude(status=Atgardsprogram.Status.DRAFT)
    return [
        Archivable(
            str(p.pk),
            str(p),
            p.get_status_display(),
            {"decided_on": p.decided_on, "follow_up_on": p.follow_up_on, "evaluate_on": p.evaluate_on},
        )
        for p in rows.order_by("decided_on", "pk")
    ]


def register() -> None:
    documents.register(
        "atgardsprogram", pupil=_programme_pupil, render=render_programme, of_pupil=_programme_archivable
    )
