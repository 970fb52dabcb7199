"""The referral's PDF (with its pedagogisk rapport) as a downloadable
document of :mod:`iop.reports.documents`; registered when followup is ready.
Written in the school's language, not in the reader's own (as every legal
document: see :mod:`iop.reports.pdfs`)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from iop.models import AccessLogEntry
from iop.reports import documents
from iop.reports.documents import Archivable, Made
from students.models import Pupil, User

from . import selectors
from .models import Referral


def _referral_pupil(user: User, object_id: str) -> Pupil:
    return selectors.referral(user, object_id).pupil


def render_referral(user: User, object_id: str, max_chars: int | None) -> Made:
    """The referral with its pedagogisk rapport, in the school's language (``Http404`` when USER may not read it)."""
    from iop.reports import rendering

    obj = selectors.referral(user, object_id)
    context = {
        "referral": obj,
        "pupil": obj.pupil,
        "title": _("Pedagogisk rapport"),
        "doc_date": timezone.localdate(),
        "draft": not obj.is_sent,
    }
    today = f"{timezone.localdate():%Y-%m-%d}"
    rendered = rendering.render_pdf(
        "followup/pdf/pedagogisk_rapport.html", context, language=obj.pupil.school.language, max_chars=max_chars
    )
    return Made(
        pupil=obj.pupil,
        pdf=rendered.pdf,
        filename=documents.slug("pedagogisk-rapport", obj.pupil.last_name, obj.pupil.first_name, today) + ".pdf",
        kind=AccessLogEntry.Kind.REFERRAL,
        object_id=obj.pk,
        inline=False,  # a download like every other: saved under its name (RFC 5987)
    )


def _referral_archivable(pupil: Pupil) -> list[Archivable]:
    """The pupil's sent referrals with their pedagogisk rapport (drafts are not archived): one query."""
    rows = Referral.objects.filter(pupil=pupil).exclude(status=Referral.Status.DRAFT).order_by("created_at")
    return [
        Archivable(
            str(r.pk),
            str(_("Pedagogisk rapport")),
            r.get_status_display(),
            {"created_at": r.created_at, "sent_at": r.sent_at},
        )
        for r in rows
    ]


def register() -> None:
    documents.register("referral", pupil=_referral_pupil, render=render_referral, of_pupil=_referral_archivable)
