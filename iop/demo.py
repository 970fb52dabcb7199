"""Demo records for the chain (run after :func:`students.demo.create` through
``settings.DEMO_BUILDERS``): a few pupils of Fjordvik skole get an expert
assessment, a made decision and a published IOP with goals and a year of
logs; one pupil has a made decision but no IOP yet, so the checks show.
The subject goals get a competence aim of the demo curriculum, and the first
pupil's are shared in the læringsbank, beside :data:`BANK_EXAMPLES`."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from curriculum.models import CompetenceAim
from students import access
from students.models import GuardianLink, Pupil, School, TeachingAssignment, User

from . import services
from .models import (
    CONSENT_AGE,
    AdvanceNotice,
    AdvanceNoticeComment,
    BankEntry,
    CaseConsent,
    Enkeltvedtak,
    Goal,
    Iop,
    IopSubject,
    IopVersion,
    Organisation,
    SakkyndigVurdering,
)

SCHOOL = "Fjordvik skole (demo)"

GOALS = [
    (
        "Matematikk",
        "Eleven legger sammen og trekker fra tall opp til 100 med konkreter og tallinje.",
        "utforske og beskrive tallmønster",
        [
            "Eleven løser oppgaver med hjelp av konkreter.",
            "Eleven løser enkle oppgaver med tallinje.",
            "Eleven løser oppgaver med tall opp til 100.",
            "Eleven forklarer hvordan hun/han tenker.",
        ],
        [
            "Eleven starter med støtte fra voksen.",
            "Eleven arbeider selv etter oppstart.",
            "Eleven arbeider selvstendig i 15 minutter.",
            "Eleven velger selv strategi og hjelpemiddel.",
        ],
    ),
    (
        "Norsk",
        "Eleven leser en tekst på 100 ord høyt med høyst tre feil.",
        "lese med sammenheng og forståelse",
        [
            "Eleven leser korte ord.",
            "Eleven leser setninger med støtte.",
            "Eleven leser tekst med få feil.",
            "Eleven leser med flyt og innlevelse.",
        ],
        [
            "Eleven leser med voksen ved siden av.",
            "Eleven leser med noe støtte.",
            "Eleven leser selv.",
            "Eleven velger selv bøker og leser dem.",
        ],
    ),
    (
        None,
        "Eleven tar initiativ til samspill med medelever i friminuttet minst tre ganger i uka.",
        "",
        [
            "Eleven deltar når voksen organiserer leken.",
            "Eleven blir med når andre spør.",
            "Eleven spør selv om å være med.",
            "Eleven inviterer andre med i leken.",
        ],
        [
            "Eleven har økt sin selvstendighet med voksen til stede.",
            "Eleven deltar med voksen i nærheten.",
            "Eleven deltar uten voksen.",
            "Eleven hjelper andre inn i leken.",
        ],
    ),
]


#: More læringsbank entries (subject, text, quality criteria, independence
#: criteria), written without names, as if shared from other plans of the
#: school owner: the bank has examples in every demo subject.
BANK_EXAMPLES = [
    (
        "Matematikk",
        "Eleven teller og sorterer mengder opp til 20 og sier hvor mange det er.",
        [
            "Teller til 10 med konkreter.",
            "Teller til 20 med konkreter.",
            "Sorterer og teller mengder.",
            "Forklarer hvordan hun/han teller.",
        ],
        ["Med voksen hele veien.", "Starter med voksen.", "Selv etter oppstart.", "Velger selv hjelpemiddel."],
    ),
    (
        "Matematikk",
        "Eleven bruker klokka til å lese hel og halv time.",
        ["Kjenner igjen hel time.", "Leser hel time.", "Leser hel og halv time.", "Bruker klokka i dagsplanen."],
        ["Med voksen hele veien.", "Starter med voksen.", "Selv etter oppstart.", "Velger selv hjelpemiddel."],
    ),
    (
        "Norsk",
        "Eleven skriver korte setninger med stor forbokstav og punktum.",
        [
            "Skriver enkeltord.",
            "Skriver setninger med støtte.",
            "Skriver setninger med stor bokstav og punktum.",
            "Skriver en kort tekst.",
        ],
        [
            "Med voksen hele veien.",
            "Starter med voksen.",
            "Selv etter oppstart.",
            "Velger selv ordbank og hjelpemidler.",
        ],
    ),
    (
        "Norsk",
        "Eleven gjenforteller en kort tekst med egne ord.",
        [
            "Svarer på spørsmål om teksten.",
            "Forteller om deler av teksten.",
            "Gjenforteller hele teksten.",
            "Gjenforteller og sier hva hun/han mener.",
        ],
        ["Med voksen hele veien.", "Med bildestøtte.", "Selv etter oppstart.", "Velger selv hvordan."],
    ),
    (
        "Engelsk",
        "Eleven bruker enkle engelske ord og uttrykk om seg selv.",
        ["Forstår enkle ord.", "Sier enkle ord.", "Sier korte setninger om seg selv.", "Spør og svarer i en samtale."],
        ["Med voksen hele veien.", "Med bildestøtte.", "Selv etter oppstart.", "Tar selv initiativ."],
    ),
]


def _bank_examples(school: School, teacher: User | None) -> None:
    """Put :data:`BANK_EXAMPLES` in the læringsbank of SCHOOL's school owner,
    each with the first competence aim of its subject's demo curriculum."""
    for subject, text, quality, independence in BANK_EXAMPLES:
        aim = CompetenceAim.objects.filter(curriculum__short_title=subject).order_by("code").first()
        if aim is None:
            continue
        criteria = {f"quality_{n}": q for n, q in enumerate(quality, 1)}
        criteria.update({f"independence_{n}": i for n, i in enumerate(independence, 1)})
        entry = BankEntry.objects.create(
            skoleeier_id=school.skoleeier_id, text=text, criteria=criteria, shared_by=teacher
        )
        entry.competence_aims.add(aim)


def _moment(day: datetime.date) -> datetime.datetime:
    """Nine in the morning of DAY, in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _teacher_of(pupil: Pupil, role: str) -> User | None:
    assignment = (
        TeachingAssignment.objects.filter(group__enrolments__pupil=pupil, role=role).select_related("user").first()
    )
    return assignment.user if assignment else None


def _advance_notice(rektor: User, vedtak: Enkeltvedtak, start: datetime.date) -> None:
    """The forhåndsvarsel the school sent two weeks before START, as it was
    then (the service dates a notice today), and a guardian's comment on it."""
    notice = AdvanceNotice.objects.create(
        vedtak=vedtak,
        sent_on=start - datetime.timedelta(days=14),
        comment_deadline=start,
        message="Her er utkastet til vedtak og den sakkyndige vurderingen. Gi oss gjerne merknader (demo).",
        sent_by=rektor,
    )
    guardian = User.objects.filter(guardian_links__pupil=vedtak.pupil).order_by("email").first()
    if guardian is not None:
        AdvanceNoticeComment.objects.create(
            notice=notice,
            party=AdvanceNoticeComment.Party.GUARDIAN,
            guardian=guardian,
            name=guardian.full_name,
            received_on=start - datetime.timedelta(days=6),
            text="Vi er enige i utkastet, og ønsker at norsk også gis i liten gruppe en time i uka (demo).",
            recorded_by=rektor,
        )


def _consent(rektor: User, pupil: Pupil, kind: str, day: datetime.date) -> None:
    """The consent the step needs, recorded as the school does: the pupil's own from 15, else a guardian's."""
    day = min(day, timezone.localdate())
    own = pupil.age_on(day) >= CONSENT_AGE
    link = None if own else GuardianLink.objects.filter(pupil=pupil, parental_responsibility=True).first()
    services.case_consent_record(
        actor=rektor,
        pupil=pupil,
        data={
            "kind": kind,
            "given_by": CaseConsent.GivenBy.PUPIL if own else CaseConsent.GivenBy.GUARDIAN,
            "guardian": link.user if link else None,
            "name": pupil.full_name if own else (link.user.full_name if link else "Foresatte"),
            "date": day,
            "method": CaseConsent.Method.SIGNED,
        },
    )


def _chain(
    pupil: Pupil,
    *,
    ppt: User,
    rektor: User,
    start: datetime.date,
    end: datetime.date,
    publish: bool = True,
    iop: bool = True,
    share: bool = False,
) -> None:
    access.grant_ppt_access(pupil=pupil, granted_by=rektor, reason="Henvisning (demo)")
    subjects = [
        {"subject": "Matematikk", "hours": 76, "note": "Liten gruppe"},
        {"subject": "Norsk", "hours": 57, "note": ""},
    ]
    sv = services.vurdering_create(
        actor=ppt,
        pupil=pupil,
        data={
            "assessed_on": start - datetime.timedelta(days=60),
            "valid_from": start,
            "valid_to": end,
            "benefit_from_ordinary": "Eleven har noe utbytte av ordinær opplæring i praktiske fag (demo).",
            "why_insufficient": "Eleven trenger mer tid og konkreter i grunnleggende lesing og regning (demo).",
            "realistic_goals": "Lese enkle tekster selvstendig; regne i tallområdet 0–100 (demo).",
            "recommended_measures": "Undervisning i liten gruppe, konkreter, korte økter med tydelig struktur.",
            "staff_competence": "Spesialpedagog i matematikk og norsk.",
            "recommended_organisation": "Liten gruppe 3 timer i uka, ellers i klassen med assistent.",
            "pupil_view": "Eleven sier at det er lettere å konsentrere seg i liten gruppe; PPT legger vekt på "
            "det (demo).",
            "internal_note": "Opplysninger fra helsesykepleier er i arkivet (intern, demo).",
        },
        subjects=subjects,
    )
    _consent(rektor, pupil, CaseConsent.Kind.SV, start - datetime.timedelta(days=90))
    sv = services.vurdering_complete(actor=ppt, vurdering=sv, version=sv.version)
    # The service dates the completion now; the demo's chain is back-dated: PPT completed the
    # assessment three weeks before the school year, before the forhåndsvarsel sent with it.
    completed_at = min(_moment(start - datetime.timedelta(days=20)), timezone.now())
    SakkyndigVurdering.objects.filter(pk=sv.pk).update(completed_at=completed_at)
    sv.refresh_from_db()
    vedtak = services.vedtak_create(
        actor=rektor,
        pupil=pupil,
        vurdering=sv,
        data={
            "valid_from": start,
            "valid_to": end,
            "facts": "Den sakkyndige vurderingen viser at eleven har lite utbytte av den ordinære opplæringen i "
            "grunnleggende lesing og regning (demo).",
            "main_considerations": "Skolen følger PPTs tilråding; liten gruppe med spesialpedagog gir eleven ro "
            "og tid, og det er til elevens beste (demo).",
            "pupil_view": "Eleven ønsker å være mest mulig i klassen, men vil ha matematikk i liten gruppe. "
            "Skolen har fulgt elevens ønske (demo).",
            "content": "Avvik fra kompetansemålene i matematikk og norsk.",
        },
        subjects=[
            {
                "subject": "Matematikk",
                "hours": 76,
                "organisation": Organisation.SMALL_GROUP,
                "staff_competence": "special_needs_teacher",
                "grade_exemption": False,
                "curriculum_deviations": "Tallområdet begrenses til 0–100.",
            },
            {
                "subject": "Norsk",
                "hours": 57,
                "organisation": Organisation.CLASS,
                "staff_competence": "assistant",
                "grade_exemption": False,
                "curriculum_deviations": "",
            },
        ],
    )
    _consent(rektor, pupil, CaseConsent.Kind.VEDTAK, start)
    _advance_notice(rektor, vedtak, start)
    vedtak = services.vedtak_make(
        actor=rektor, vedtak=vedtak, version=vedtak.version, made_on=start + datetime.timedelta(days=7)
    )
    notified_on = start + datetime.timedelta(days=9)
    if notified_on <= timezone.localdate():
        vedtak = services.vedtak_record_notified(
            actor=rektor, vedtak=vedtak, version=vedtak.version, notified_on=notified_on
        )
    if not iop:
        return
    vedtak.refresh_from_db()
    teacher = _teacher_of(pupil, TeachingAssignment.Role.KONTAKTLAERER) or rektor
    plan = services.iop_create(actor=teacher, vedtak=vedtak)
    plan = services.iop_update(
        actor=teacher,
        iop=plan,
        version=plan.version,
        data={
            "class_plan_coordination": "Ukeplanen merkes med elevens mål; kontaktlærer avtaler med faglærer.",
            "pupil_view": "Eleven vil ha korte økter og velge lesebok selv; det er tatt med i planen (demo).",
            "participants": "Eleven (samtale med kontaktlærer), foresatte (møte i august), kontaktlærer, "
            "spesialpedagog og PPT (demo).",
            "strengths": "Eleven er nysgjerrig, liker å bygge og tegne, og er god til å hjelpe andre (demo).",
            "aids": "Konkreter (tallinje, kuleramme), lydbøker, lesestøtte på nettbrett, tilpasset lesebok.",
            "evaluation": "Planen evalueres på foreldremøtet i januar og i årsrapporten i juni; eleven, "
            "foresatte, kontaktlærer og spesialpedagog deltar.",
        },
    )
    sections = {s.subject: s for s in plan.sections.all()}
    # hours by staff within the vedtak: small group with the special-needs teacher, the rest in class
    split = {"Matematikk": (0, 57, 19), "Norsk": (19, 0, 38)}
    for section in sections.values():
        teacher_hours, special_hours, assistant_hours = split.get(section.subject, (None, None, None))
        services.section_update(
            actor=teacher,
            section=section,
            version=section.version,
            data={
                "content": f"Grunnleggende ferdigheter i {section.subject.lower()} (demo).",
                "working_methods": "Konkreter, spill, korte økter, tydelig struktur.",
                "hours_teacher": teacher_hours,
                "hours_special_needs_teacher": special_hours,
                "hours_assistant": assistant_hours,
            },
        )
    logger = _teacher_of(pupil, TeachingAssignment.Role.FAGLAERER) or teacher
    today = timezone.localdate()
    for subject, text, aim, quality, independence in GOALS:
        goal = services.goal_create(actor=teacher, iop=plan, section=sections.get(subject or ""), text=text)
        data = {"text": text, "competence_aim": aim}
        data.update({f"quality_{n}": t for n, t in enumerate(quality, start=1)})
        data.update({f"independence_{n}": t for n, t in enumerate(independence, start=1)})
        goal = services.goal_update(actor=teacher, goal=goal, version=goal.version, data=data)
        for step, (q, i) in enumerate(((1, 1), (2, 1), (2, 2), (3, 2))):
            day = min(start + datetime.timedelta(days=14 + step * 21), today)
            services.goal_log_create(
                actor=_logging(logger, teacher, pupil, subject or ""),
                goal=goal,
                data={
                    "date": day,
                    "quality": q,
                    "independence": i,
                    "feed_forward": "Neste steg: bruk tallinja uten hjelp." if step == 3 else "",
                    "self_assessment": "Jeg synes det går bedre." if step == 2 else "",
                },
            )
    _log_teaching(plan, sections, logger, teacher, today)
    plan.refresh_from_db()
    if publish:
        aimed = _attach_aims(plan, teacher)
        plan.refresh_from_db()
        services.iop_publish(actor=teacher, iop=plan, version=plan.version)
        # Made and first published two weeks after the decision, as it was then (the services date it now).
        made = min(_moment(start + datetime.timedelta(days=21)), timezone.now())
        Iop.objects.filter(pk=plan.pk).update(created_at=made, published_at=made)
        IopVersion.objects.filter(iop=plan).update(published_at=made)
        if share:
            for goal in aimed:
                goal.refresh_from_db()
                services.goal_share(actor=teacher, goal=goal, version=goal.version)
            # A later edit not yet published: staff see "Unpublished changes since …", the guardians do not see it.
            services.goal_create(
                actor=teacher,
                iop=plan,
                section=next(iter(sections.values()), None),
                text="Eleven skriver korte setninger med punktum (utkast).",
            )


#: Årstimer (60 minutes) given a week per subject in the demo: about the vedtak's hours over 38 weeks.
WEEKLY_HOURS = {"Matematikk": "2.0", "Norsk": "1.5"}


def _logging(faglaerer: User, teacher: User, pupil: Pupil, subject: str) -> User:
    """Who logs in SUBJECT in the demo: the pupil's faglærer in their own
    subject (and in general goals), the kontaktlærer in the others."""
    return faglaerer if access.may_log_in(faglaerer, pupil, subject) else teacher


def _log_teaching(
    plan: Iop, sections: dict[str, IopSubject], logger: User, teacher: User, today: datetime.date
) -> None:
    """Log the teaching given in PLAN's subjects, a week at a time from the
    plan's start up to TODAY (a shorter last period when no whole week has
    passed yet), so the key figures show hours given against the vedtak;
    each subject by its faglærer where LOGGER teaches it, else by TEACHER."""
    if plan.period_start is None or plan.period_start > today:
        return
    last = min(today, plan.period_end) if plan.period_end else today
    for subject, weekly in WEEKLY_HOURS.items():
        section = sections.get(subject)
        if section is None:
            continue
        day = plan.period_start
        while day <= last:
            until = min(day + datetime.timedelta(days=6), last)
            hours = Decimal(weekly) * ((until - day).days + 1) / 7
            services.teaching_log_create(
                actor=_logging(logger, teacher, plan.pupil, subject),
                section=section,
                data={"period_start": day, "period_end": until, "hours": hours.quantize(Decimal("0.1")), "note": ""},
            )
            day = until + datetime.timedelta(days=1)


def _attach_aims(plan: Iop, teacher: User) -> list[Goal]:
    """Attach a competence aim of the demo curriculum to each subject goal of
    PLAN (the goals that got one are returned, to be shared in the
    læringsbank, de-identified, so the bank and its suggestions are not empty in the demo)."""
    aimed = []
    for goal in plan.goals.select_related("section"):
        subject = goal.section.subject if goal.section else ""
        aim = CompetenceAim.objects.filter(curriculum__short_title=subject).order_by("code").first()
        if aim is None:
            continue
        services.goal_aims_update(actor=teacher, goal=goal, add=aim)
        aimed.append(goal)
    return aimed


@transaction.atomic
def create() -> None:
    """Add the chain's demo records (no-op when the school is missing or done)."""
    school = School.objects.filter(name=SCHOOL).first()
    if school is None or SakkyndigVurdering.objects.filter(pupil__school=school).exists():
        return
    year = school.school_years.order_by("-start").first()
    if year is None:
        return
    ppt = _user("ppt@demo.example")
    rektor = _user("rektor.skole@demo.example")
    start, end = year.start, year.end
    guardian = User.objects.filter(email="foresatt.1@demo.example").first()
    chosen: list[Pupil] = []
    if guardian is not None:
        chosen += [
            link.pupil
            for link in GuardianLink.objects.filter(user=guardian, pupil__school=school)
            .select_related("pupil")
            .order_by("pupil__birth_date")
        ]
    for group_name in ("7A", "4A", "1A"):
        pupil = (
            Pupil.objects.filter(school=school, enrolments__group__name=group_name)
            .exclude(pk__in=[p.pk for p in chosen])
            .order_by("last_name", "first_name")
            .first()
        )
        if pupil is not None:
            chosen.append(pupil)
    for index, pupil in enumerate(chosen[:4]):
        _chain(
            pupil, ppt=ppt, rektor=rektor, start=start, end=end, publish=index != 2, iop=index != 3, share=index == 0
        )
    teacher = _teacher_of(chosen[0], TeachingAssignment.Role.KONTAKTLAERER) if chosen else None
    _bank_examples(school, teacher)
