"""A realistic demo: one kommune with a primary + lower secondary school, a
county with an upper secondary school, ~60 pupils, staff in every role and
guardians. Every name is invented and every record is labelled demo data."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from . import access
from .models import (
    Enrolment,
    Group,
    GuardianLink,
    Pupil,
    PupilIdentity,
    School,
    SchoolYear,
    Skoleeier,
    StaffMembership,
    TeachingAssignment,
    User,
)

DEMO_PASSWORD = "demo-passord"  # noqa: S105 - printed demo login, demo mode only
KOMMUNE_NAME = "Fjordvik kommune (demo)"

FIRST_NAMES = [
    "Emma",
    "Nora",
    "Sofie",
    "Ella",
    "Olivia",
    "Ingrid",
    "Leah",
    "Maja",
    "Sara",
    "Aurora",
    "Jakob",
    "Emil",
    "Noah",
    "Oliver",
    "Filip",
    "William",
    "Lucas",
    "Henrik",
    "Aksel",
    "Elias",
    "Mathias",
    "Tobias",
    "Sander",
    "Iben",
    "Tiril",
    "Selma",
    "Ahmed",
    "Amina",
    "Mikkel",
    "Jonas",
]
LAST_NAMES = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Jørgensen",
    "Halvorsen",
    "Henriksen",
    "Lund",
    "Sørensen",
]


@dataclass(frozen=True)
class Login:
    role: str
    email: str


def current_school_year_dates(today: datetime.date) -> tuple[datetime.date, datetime.date, str]:
    """The demo's school year, 18 August to 19 June. In the summer holiday it is
    the year just ended, lasting until today: the demo always has a current year."""
    first = today.year if (today.month, today.day) >= (8, 18) else today.year - 1
    end = max(datetime.date(first + 1, 6, 19), today)
    return datetime.date(first, 8, 18), end, f"{first}/{str(first + 1)[-2:]}"


def exists() -> bool:
    return Skoleeier.objects.filter(name=KOMMUNE_NAME).exists()


_HASH_CACHE: dict[str, str] = {}


def _password_hash() -> str:
    # Hashing is deliberately slow; hash the shared demo password once.
    if DEMO_PASSWORD not in _HASH_CACHE:
        _HASH_CACHE[DEMO_PASSWORD] = make_password(DEMO_PASSWORD)
    return _HASH_CACHE[DEMO_PASSWORD]


def _user(email: str, name: str, logins: list[Login] | None = None, role: str = "") -> User:
    user = User.objects.create(email=email, password=_password_hash(), full_name=name)
    if logins is not None:
        logins.append(Login(role=role, email=email))
    return user


@transaction.atomic
def create(seed: int = 2026) -> list[Login]:
    rng = random.Random(seed)  # noqa: S311 - demo names, not security
    today = timezone.localdate()
    start, end, year_name = current_school_year_dates(today)
    logins: list[Login] = []
    R = StaffMembership.Role

    kommune = Skoleeier.objects.create(name=KOMMUNE_NAME, kind=Skoleeier.Kind.KOMMUNE, country="NO")
    fylke = Skoleeier.objects.create(
        name="Nordvest fylkeskommune (demo)", kind=Skoleeier.Kind.FYLKESKOMMUNE, country="NO"
    )
    grunnskole = School.objects.create(skoleeier=kommune, name="Fjordvik skole (demo)", kind=School.Kind.BARNE_UNGDOM)
    # The upper secondary school writes nynorsk (its målform): its pages are in nynorsk.
    vgs = School.objects.create(
        skoleeier=fylke, name="Fjordvik vidaregåande skule (demo)", kind=School.Kind.VGS, language=School.Language.NN
    )

    operator = User.objects.create(
        email="drift@demo.example", password=_password_hash(), full_name="Drift Demo", is_staff=True, is_superuser=True
    )
    logins.append(Login(role="operatør (admin)", email=operator.email))

    ppt = _user("ppt@demo.example", "Petra Pettersen", logins, "PPT-rådgiver (begge skoler)")
    for school in (grunnskole, vgs):
        StaffMembership.objects.create(user=ppt, school=school, role=R.PPT)

    guardians_made: dict[str, User] = {}
    first_guardian: User | None = None
    plan = {
        grunnskole: [("1A", 1), ("4A", 4), ("7A", 7), ("9A", 9), ("10A", 10)],
        vgs: [("1STA", 11), ("2STA", 12)],
    }
    pupils_per_group = {grunnskole: 8, vgs: 10}
    subjects = {grunnskole: "Matematikk", vgs: "Norsk"}
    for school, groups in plan.items():
        slug = "skole" if school == grunnskole else "vgs"
        sy = SchoolYear.objects.create(school=school, name=year_name, start=start, end=end)
        coordinator = _user(
            f"koordinator.{slug}@demo.example",
            f"Kari Koordinator ({slug})",
            logins,
            f"spes.ped-koordinator, {school.name}",
        )
        StaffMembership.objects.create(user=coordinator, school=school, role=R.KOORDINATOR)
        rektor = _user(f"rektor.{slug}@demo.example", f"Rune Rektor ({slug})", logins, f"rektor, {school.name}")
        StaffMembership.objects.create(user=rektor, school=school, role=R.REKTOR)
        faglaerer = _user(
            f"faglaerer.{slug}@demo.example",
            f"Frida Faglærer ({slug})",
            logins,
            f"faglærer {subjects[school].lower()}, {school.name}",
        )
        StaffMembership.objects.create(user=faglaerer, school=school, role=R.FAGLAERER)
        vikar = _user(
            f"vikar.{slug}@demo.example",
            f"Viktor Vikar ({slug})",
            logins,
            f"vikar (tilgang til én elev i 14 dager), {school.name}",
        )
        StaffMembership.objects.create(user=vikar, school=school, role=R.VIKAR)
        for index, (group_name, level) in enumerate(groups):
            group = Group.objects.create(school_year=sy, name=group_name, year_level=level)
            teacher = _user(
                f"kontaktlaerer.{group_name.lower()}.{slug}@demo.example",
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                logins if index in (2, 0) else None,
                f"kontaktlærer {group_name}, {school.name}",
            )
            StaffMembership.objects.create(user=teacher, school=school, role=R.KONTAKTLAERER)
            TeachingAssignment.objects.create(user=teacher, group=group, role=TeachingAssignment.Role.KONTAKTLAERER)
            TeachingAssignment.objects.create(
                user=faglaerer, group=group, role=TeachingAssignment.Role.FAGLAERER, subject=subjects[school]
            )
            for _n in range(pupils_per_group[school]):
                age = level + 5
                birth = datetime.date(start.year - age, rng.randint(1, 12), rng.randint(1, 28))
                last = rng.choice(LAST_NAMES)
                pupil = Pupil.objects.create(
                    school=school, first_name=rng.choice(FIRST_NAMES), last_name=last, birth_date=birth
                )
                PupilIdentity.objects.create(
                    pupil=pupil, national_id=birth.strftime("%d%m%y") + f"{rng.randint(10000, 99999)}"
                )
                Enrolment.objects.create(pupil=pupil, group=group)
                # Siblings: the first guardian has two children in different groups.
                if (
                    first_guardian is not None
                    and group_name == "4A"
                    and not first_guardian.guardian_links.filter(pupil__enrolments__group__name="4A").exists()
                ):
                    guardian = first_guardian
                else:
                    key = f"{last}.{len(guardians_made)}"
                    guardian = _user(
                        f"foresatt.{len(guardians_made) + 1}@demo.example",
                        f"{rng.choice(FIRST_NAMES)} {last}",
                    )
                    guardians_made[key] = guardian
                    if first_guardian is None:
                        first_guardian = guardian
                        logins.append(Login(role="foresatt (to barn)", email=guardian.email))
                GuardianLink.objects.create(user=guardian, pupil=pupil, relation=GuardianLink.Relation.OTHER)
        some_pupil = Pupil.objects.filter(school=school).order_by("last_name", "first_name").first()
        if some_pupil is not None:
            access.grant_pupil_access(
                pupil=some_pupil,
                user=vikar,
                granted_by=coordinator,
                expires_at=timezone.now() + datetime.timedelta(days=14),
                reason="Vikar for kontaktlærer (demo)",
            )
    _create_swedish_school(rng, start, end, year_name, logins)
    return logins


SWEDISH_FIRST = ["Alva", "Elsa", "Astrid", "Wilma", "Freja", "Hugo", "Liam", "Vincent", "Nils", "Oskar", "Ebba", "Maja"]
SWEDISH_LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"]


def _create_swedish_school(
    rng: random.Random, start: datetime.date, end: datetime.date, year_name: str, logins: list[Login]
) -> None:
    """A Swedish grundskola (under a Swedish kommun): its pages are in Swedish."""
    R = StaffMembership.Role
    kommun = Skoleeier.objects.create(name="Älvby kommun (demo)", kind=Skoleeier.Kind.KOMMUNE, country="SE")
    school = School.objects.create(
        skoleeier=kommun, name="Älvby skola (demo)", kind=School.Kind.GRUNDSKOLA, language=School.Language.SV
    )
    sy = SchoolYear.objects.create(school=school, name=year_name, start=start, end=end)
    rektor = _user("rektor.alvby@demo.example", "Rita Rektor (Älvby)", logins, f"rektor, {school.name}")
    StaffMembership.objects.create(user=rektor, school=school, role=R.REKTOR)
    for group_name, level in (("3A", 3), ("5A", 5)):
        group = Group.objects.create(school_year=sy, name=group_name, year_level=level)
        mentor = _user(
            f"mentor.{group_name.lower()}.alvby@demo.example",
            f"{rng.choice(SWEDISH_FIRST)} {rng.choice(SWEDISH_LAST)}",
            logins,
            f"mentor (kontaktlärare) {group_name}, {school.name}",
        )
        StaffMembership.objects.create(user=mentor, school=school, role=R.KONTAKTLAERER)
        TeachingAssignment.objects.create(user=mentor, group=group, role=TeachingAssignment.Role.KONTAKTLAERER)
        for n in range(6):
            last = rng.choice(SWEDISH_LAST)
            pupil = Pupil.objects.create(
                school=school,
                first_name=rng.choice(SWEDISH_FIRST),
                last_name=last,
                birth_date=datetime.date(start.year - level - 6, rng.randint(1, 12), rng.randint(1, 28)),
            )
            Enrolment.objects.create(pupil=pupil, group=group)
            email = f"vardnadshavare.{group_name.lower()}.{n + 1}@demo.example"
            guardian = _user(
                email,
                f"{rng.choice(SWEDISH_FIRST)} {last}",
                logins if (group_name, n) == ("5A", 0) else None,
                f"vårdnadshavare, {school.name}",
            )
            GuardianLink.objects.create(user=guardian, pupil=pupil, relation=GuardianLink.Relation.OTHER)


def print_logins(logins: list[Login], write: object = print) -> None:
    write(f"Demo logins (password for all: {DEMO_PASSWORD}):")  # type: ignore[operator]
    for login in logins:
        write(f"  {login.email:<45} {login.role}")  # type: ignore[operator]


def known_logins() -> list[Login]:
    """The printed logins of an existing demo (for re-runs)."""
    roles = {
        "drift@demo.example": "operatør (admin)",
        "ppt@demo.example": "PPT-rådgiver (begge skoler)",
    }
    out = [Login(role=role, email=email) for email, role in roles.items()]
    for m in (
        StaffMembership.objects.filter(user__email__endswith="@demo.example")
        .exclude(role=StaffMembership.Role.PPT)
        .select_related("user", "school")
        .order_by("school__name", "role", "user__email")
    ):
        out.append(Login(role=f"{m.get_role_display()}, {m.school.name}", email=m.user.email))
    out.append(Login(role="foresatt (to barn)", email="foresatt.1@demo.example"))
    out.append(Login(role="vårdnadshavare, Älvby skola (demo)", email="vardnadshavare.5a.1@demo.example"))
    return out
