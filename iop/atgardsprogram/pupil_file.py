"""The Swedish support chain's part of a pupil's whole file
(settings.PUPIL_FILE_PARTS, see :mod:`students.pupil_file`): extra
anpassningar with their follow-ups, the utredningar, the decisions with
their measures and evaluations, and the appeals. Seven queries, whatever the
data size; for a Norwegian pupil only the parts that hold records."""

from __future__ import annotations

from django.utils.translation import gettext as _

from students.access import offers_chain
from students.models import Pupil
from students.pupil_file import FilePart, loaded, of_law, part

from .models import (
    Atgardsprogram,
    AtgardsprogramAtgard,
    AtgardsprogramUtvardering,
    ExtraAnpassning,
    ExtraAnpassningUppfoljning,
    Overklagande,
    Utredning,
)


def parts(pupil: Pupil) -> list[FilePart]:
    made = [
        part(
            "atgardsprogram.anpassning",
            _("Extra adaptations"),
            loaded(ExtraAnpassning.objects.filter(pupil=pupil)).order_by("start_date", "created_at"),
        ),
        part(
            "atgardsprogram.uppfoljning",
            _("Follow-ups of extra adaptations"),
            loaded(ExtraAnpassningUppfoljning.objects.filter(anpassning__pupil=pupil)).order_by("date", "pk"),
        ),
        part(
            "atgardsprogram.utredning",
            _("Investigations of särskilt stöd"),
            loaded(Utredning.objects.filter(pupil=pupil)).order_by("started_on", "pk"),
        ),
        part(
            "atgardsprogram.beslut",
            _("Decisions on särskilt stöd"),
            loaded(Atgardsprogram.objects.filter(pupil=pupil)).order_by("created_at"),
        ),
        part(
            "atgardsprogram.atgard",
            _("Measures"),
            loaded(AtgardsprogramAtgard.objects.filter(programme__pupil=pupil)).order_by("programme_id", "position"),
        ),
        part(
            "atgardsprogram.utvardering",
            _("Evaluations"),
            loaded(AtgardsprogramUtvardering.objects.filter(programme__pupil=pupil)).order_by("date", "pk"),
        ),
        part(
            "atgardsprogram.overklagande",
            _("Appeals"),
            loaded(Overklagande.objects.filter(programme__pupil=pupil)).order_by("received_on", "pk"),
        ),
    ]
    return of_law(made, applies=not offers_chain(pupil))
