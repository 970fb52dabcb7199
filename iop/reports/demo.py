"""Demo records for the reports (run after :func:`iop.demo.create` through
``settings.DEMO_BUILDERS``): for a pupil of Fjordvik skole with a published
IOP, a half-year report finalised and published to the guardians, and an
årsrapport draft made from the logs, ready to edit."""

from __future__ import annotations

from django.db import transaction

from iop.models import Iop
from students.models import GuardianLink, StaffMembership, User

from . import services
from .models import Report

SCHOOL = "Fjordvik skole (demo)"


@transaction.atomic
def create() -> None:
    """Add the reports' demo records (no-op when there is no published IOP or it is done)."""
    iops = Iop.objects.filter(pupil__school__name=SCHOOL, status=Iop.Status.PUBLISHED).select_related(
        "pupil__school", "school_year", "vedtak"
    )
    children = GuardianLink.objects.filter(user__email="foresatt.1@demo.example").values("pupil_id")
    iop = iops.filter(pupil__in=children).first() or iops.order_by("pupil__last_name").first()
    if iop is None or Report.objects.filter(iop=iop).exists():
        return
    membership = (
        StaffMembership.objects.filter(school=iop.pupil.school, role=StaffMembership.Role.KOORDINATOR, active=True)
        .select_related("user")
        .first()
    )
    actor: User | None = membership.user if membership else None
    half = services.report_create(actor=actor, iop=iop, kind=Report.Kind.HALVAARSRAPPORT)
    half = services.report_update(
        actor=actor,  # type: ignore[arg-type]
        report=half,
        version=half.version,
        data={
            "summary": (
                "Eleven har hatt et godt første halvår. Eleven leser nå korte tekster med støtte, "
                "og regner med tall opp til 20 med konkreter."
            ),
            "organisation": "Opplæringen er gitt i liten gruppe fire timer i uka og i klassen ellers.",
        },
    )
    half.pupil = iop.pupil
    half = services.report_finalise(actor=actor, report=half, version=half.version)  # type: ignore[arg-type]
    services.report_publish(actor=actor, report=half)  # type: ignore[arg-type]
    services.report_create(actor=actor, iop=iop, kind=Report.Kind.AARSRAPPORT)
