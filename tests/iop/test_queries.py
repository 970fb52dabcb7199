"""The IOP page and the pupil page run a fixed number of queries."""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats, translation

from iop.models import Goal, Iop
from students.models import Pupil
from tests.conftest import World
from tests.iop.factories import Chain, add_goals, aim, chain
from tests.queries import assert_same_queries, page_queries


def with_aims(iop: Iop) -> None:
    """Two aims on every goal of IOP, one of them expired and replaced."""
    replaced = aim("KM9001", status="expired", replaced_by=aim("KM9002"))
    current = aim("KM9003")
    through = Goal.competence_aims.through
    through.objects.bulk_create(
        [through(goal_id=goal.pk, competenceaim_id=a.pk) for goal in iop.goals.all() for a in (replaced, current)]
    )


def staff_pages(ch: Chain, pupil: Pupil) -> list[str]:
    assert ch.iop is not None
    iop = reverse("iop:iop_detail", args=[ch.iop.pk])
    return [
        iop,
        iop + "?visning=les",
        reverse("pupil_detail", args=[pupil.pk]),
        reverse("iop:goal_detail", args=[ch.goals[0].pk]),
        reverse("iop:overview"),
    ]


def guardian_pages(ch: Chain, pupil: Pupil) -> list[str]:
    assert ch.iop is not None
    return [reverse("iop:iop_detail", args=[ch.iop.pk]), reverse("pupil_detail", args=[pupil.pk])]


def test_the_iop_and_pupil_pages_run_a_fixed_number_of_queries(world: World) -> None:
    coordinator = world.client("coordinator")

    small = chain(world.pupil_a, goals=5, logs_per_goal=2)
    assert small.iop is not None
    with_aims(small.iop)
    staff_small = [page_queries(coordinator, url, warm=True) for url in staff_pages(small, world.pupil_a)]
    guardian_a = world.client("guardian_a")
    guardian_small = [page_queries(guardian_a, url, warm=True) for url in guardian_pages(small, world.pupil_a)]

    large = chain(world.pupil_b, goals=40, logs_per_goal=10, subjects=(("Matematikk", 76), ("Norsk", 38)))
    assert large.iop is not None
    add_goals(large.iop, None, 10, logs_per_goal=10)  # 50 goals, 500 log entries
    with_aims(large.iop)
    staff_large = [page_queries(coordinator, url, warm=True) for url in staff_pages(large, world.pupil_b)]
    guardian_b = world.client("guardian_b")
    guardian_large = [page_queries(guardian_b, url, warm=True) for url in guardian_pages(large, world.pupil_b)]

    # the pupil page hosts the sections of several apps
    assert_same_queries(staff_small, staff_large, at_most=30)
    assert_same_queries(guardian_small, guardian_large)


def test_the_pupil_page_offers_a_decision_only_for_an_assessment_without_one(world: World) -> None:
    """A completed assessment whose decision is made offers no second one; one
    with a draft decision links to the draft; the page's queries stay the same."""
    from iop.models import Enkeltvedtak
    from tests.iop.factories import VurderingFactory

    coordinator = world.client("coordinator")
    url = reverse("pupil_detail", args=[world.pupil_a.pk])
    made = chain(world.pupil_a, iop_status=None)
    page = coordinator.get(url).content.decode()
    assert reverse("iop:vedtak_create", args=[made.sv.pk]) not in page
    assert "Fatt vedtak ut fra denne vurderingen" not in page
    before = page_queries(coordinator, url, warm=True)

    draft = chain(world.pupil_a, iop_status=None, vedtak_status=Enkeltvedtak.Status.DRAFT)
    open_sv = VurderingFactory(pupil=world.pupil_a)
    page = coordinator.get(url).content.decode()
    assert reverse("iop:vedtak_create", args=[draft.sv.pk]) not in page
    assert f'href="{reverse("iop:vedtak_detail", args=[draft.vedtak.pk])}">Fortsett på utkastet til vedtak</a>' in page
    assert f'href="{reverse("iop:vedtak_create", args=[open_sv.pk])}">Fatt vedtak ut fra denne vurderingen</a>' in page
    assert_same_queries(before, page_queries(coordinator, url, warm=True))


def test_the_assessment_page_offers_a_decision_only_while_it_has_none(world: World) -> None:
    """As on the pupil page: an assessment without a decision offers one; with
    a draft decision, the draft is continued; with a made decision, the page
    links to it and offers no second one. The queries stay the same."""
    from iop.models import Enkeltvedtak
    from tests.iop.factories import VurderingFactory

    coordinator = world.client("coordinator")
    open_sv = VurderingFactory(pupil=world.pupil_a)
    url = reverse("iop:vurdering_detail", args=[open_sv.pk])
    page = coordinator.get(url).content.decode()
    assert f'href="{reverse("iop:vedtak_create", args=[open_sv.pk])}">Fatt vedtak ut fra denne vurderingen</a>' in page
    before = page_queries(coordinator, url, warm=True)

    draft = chain(world.pupil_a, iop_status=None, vedtak_status=Enkeltvedtak.Status.DRAFT)
    url = reverse("iop:vurdering_detail", args=[draft.sv.pk])
    page = coordinator.get(url).content.decode()
    assert reverse("iop:vedtak_create", args=[draft.sv.pk]) not in page
    assert f'href="{reverse("iop:vedtak_detail", args=[draft.vedtak.pk])}">Fortsett på utkastet til vedtak</a>' in page
    assert_same_queries(before, page_queries(coordinator, url, warm=True))

    made = chain(world.pupil_b, iop_status=None)
    url = reverse("iop:vurdering_detail", args=[made.sv.pk])
    page = coordinator.get(url).content.decode()
    assert reverse("iop:vedtak_create", args=[made.sv.pk]) not in page
    assert "Fatt vedtak ut fra denne vurderingen" not in page
    assert made.vedtak.made_on is not None
    with translation.override("nb"):
        shown = formats.date_format(made.vedtak.made_on, "DATE_FORMAT")
    assert f'href="{reverse("iop:vedtak_detail", args=[made.vedtak.pk])}">Se vedtaket fattet {shown}</a>' in page

    teacher = world.client("teacher")  # may read the assessment, may not decide
    response = teacher.get(reverse("iop:vurdering_detail", args=[draft.sv.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fortsett på utkastet" not in page
    assert reverse("iop:vedtak_create", args=[draft.sv.pk]) not in page
