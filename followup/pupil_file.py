"""The follow-up side of a pupil's whole file (settings.PUPIL_FILE_PARTS,
see :mod:`students.pupil_file`): concerns, kartlegging, oppfølgingsplaner
with tiltak and evaluations, PPT referrals with their pedagogisk rapport,
every kept version and their consents, interim replies, talks and the
follow-up meetings where the pupil was discussed. One query per part."""

from __future__ import annotations

from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from students.access import offers_chain
from students.models import Pupil
from students.pupil_file import FilePart, display, loaded, of_law, part, version_name

from .models import (
    Concern,
    Consent,
    InterimReply,
    Kartlegging,
    MeetingPupil,
    Oppfolgingsplan,
    Referral,
    Talk,
    Tiltak,
    TiltakEvaluation,
)


def _named(row: Any) -> str:
    """A record's title without its pupil: the model's name and its status or date."""
    detail = row.get_status_display() if hasattr(row, "get_status_display") else ""
    return f"{capfirst(str(row._meta.verbose_name))} {detail}".strip()


#: The parts that belong to the Norwegian chain (PPT, forvaltningsloven).
CHAIN_PARTS = frozenset(
    {"followup.referral", "followup.referral_history", "followup.referral_consent", "followup.interim_reply"}
)


def parts(pupil: Pupil) -> list[FilePart]:
    """The follow-up records of PUPIL (opplæringslova § 11-1 and § 11-4 on
    adapted teaching before a referral; forvaltningsloven § 11 a on interim
    replies); for a Swedish pupil the referral parts only when they hold
    records. Eleven queries."""
    made = [
        part(
            "followup.concern",
            _("Concerns"),
            loaded(Concern.objects.filter(pupil=pupil)).order_by("filed_at"),
            name=lambda row: f"{_('Concern')} {display(row.filed_at)}",
        ),
        part(
            "followup.kartlegging", _("Kartlegging"), loaded(Kartlegging.objects.filter(pupil=pupil)).order_by("date")
        ),
        part(
            "followup.plan",
            _("Follow-up plans"),
            loaded(Oppfolgingsplan.objects.filter(pupil=pupil)).order_by("pk"),
            name=_named,
        ),
        part(
            "followup.tiltak",
            _("Measures (tiltak)"),
            loaded(Tiltak.objects.filter(pupil=pupil), "plan__pupil").order_by("pk"),
        ),
        part(
            "followup.tiltak_evaluation",
            _("Evaluations of measures"),
            loaded(TiltakEvaluation.objects.filter(pupil=pupil)).order_by("pk"),
        ),
        part(
            "followup.referral",
            _("PPT referrals and pedagogisk rapport"),
            loaded(Referral.objects.filter(pupil=pupil)).order_by("created_at"),
            name=_named,
        ),
        part(
            "followup.referral_history",
            _("Versions of the referrals"),
            Referral.history.filter(pupil=pupil).select_related("history_user").order_by("id", "history_date"),  # type: ignore[attr-defined]
            name=version_name,
            skip=("history_id",),
        ),
        part(
            "followup.referral_consent",
            _("Consents to the referrals"),
            loaded(Consent.objects.filter(pupil=pupil), "referral").order_by("date", "recorded_at"),
            skip=("referral",),
        ),
        part(
            "followup.interim_reply",
            _("Interim replies (foreløpig svar)"),
            loaded(InterimReply.objects.filter(pupil=pupil)).order_by("sent_on"),
            skip=("referral", "vurdering"),
        ),
        part(
            "followup.talk",
            _("Talks"),
            loaded(Talk.objects.filter(pupil=pupil), "school_year__school").order_by("date"),
        ),
        part(
            "followup.meeting",
            _("Follow-up meetings"),
            MeetingPupil.objects.filter(pupil=pupil).select_related("meeting__group").order_by("meeting__date"),
            name=lambda row: str(row.meeting),
            skip=("pupil",),
            extra_of=lambda row: [("date", _("date"), row.meeting.date)],
        ),
    ]
    return of_law(made, applies=offers_chain(pupil), keys=CHAIN_PARTS)
