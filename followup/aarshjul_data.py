"""The built-in årshjul sets.

* ``trondelag-vgs`` — "Årshjul for helhetlig elevoppfølging", Trøndelag
  fylkeskommune (seed 004), the default for upper secondary schools.
* ``grunnskole-no`` — a Norwegian primary and lower secondary school
  (utviklingssamtale each half-year, elevsamtaler, mentorsamtaler 8–10,
  transitions), the default for other Norwegian schools.
* ``grundskola-se`` — a Swedish grundskola under skollagen (2010:800):
  utvecklingssamtal each term (10 kap. 12 §; one talk fulfils one term),
  the written IUP once a school year in the years without grades (10 kap.
  13 §, årskurs 1–5), follow-up of extra anpassningar, an utredning after a
  report to the rektor (3 kap. 7 §) and the yearly review of åtgärdsprogram
  (3 kap. 9 §). The default for every Swedish school: none of the Norwegian
  chain's duties.

The texts are the school's working language (Norwegian; Swedish in the
Swedish set), as data. Loaded by migrations ``0002`` and ``0018`` and by
``manage.py followup_load_aarshjul``.
"""

from __future__ import annotations

from typing import Any

# Short helpers keep the tables readable.
K, F, KO, R, P = "kontaktlaerer", "faglaerer", "koordinator", "rektor", "ppt"


def fixed(month: int, day: int, *, move: bool = True) -> dict[str, Any]:
    return {"anchor": "fixed", "month": month, "day": day, "weekend_to_monday": move}


def after_start(days: int) -> dict[str, Any]:
    return {"anchor": "start", "offset_days": days}


def before_end(days: int) -> dict[str, Any]:
    return {"anchor": "end", "offset_days": days}


def record(event: str, days: int) -> dict[str, Any]:
    return {"anchor": "record", "record_event": event, "offset_days": days, "applies_to": "record"}


RECORD_DUTIES: list[dict[str, Any]] = [
    {
        "key": "kartlegging-etter-bekymring",
        "title": "Kartlegging etter bekymringsmelding",
        "description": "Skolen kartlegger elevens faglige og/eller sosiale situasjon etter en bekymringsmelding, "
        "og vurderer tiltak.",
        "responsible_role": KO,
        **record("concern_filed", 21),
        "fulfilment": "kartlegging",
        "reminder_days": "7,1",
    },
    {
        "key": "sakkyndig-vurdering-etter-henvisning",
        "title": "Sakkyndig vurdering etter henvisning til PPT",
        "description": "PPT utreder og skriver sakkyndig vurdering (opplæringslova § 11-8). Fristen viser PPTs "
        "ventetid fra henvisningen ble sendt.",
        "responsible_role": P,
        **record("referral_sent", 90),
        "fulfilment": "vurdering",
        "reminder_days": "14,7,1",
    },
    {
        "key": "vedtak-etter-sakkyndig-vurdering",
        "title": "Enkeltvedtak etter sakkyndig vurdering",
        "description": "Når PPT har fullført den sakkyndige vurderingen, sender skolen forhåndsvarsel og fatter "
        "enkeltvedtak uten ugrunnet opphold (forvaltningsloven § 11 a).",
        "responsible_role": R,
        **record("vurdering_completed", 30),
        "fulfilment": "new_vedtak",
        "reminder_days": "14,7,1",
    },
    {
        "key": "forelopig-svar-henvisning",
        "title": "Foreløpig svar: henvisningen har ventet en måned på sakkyndig vurdering",
        "description": "Når saken ikke er besvart innen en måned, sender skolen et foreløpig svar til eleven og "
        "de foresatte om hvorfor og når de kan vente svar (forvaltningsloven § 11 a).",
        "responsible_role": KO,
        **record("referral_waiting", 30),
        "fulfilment": "interim_reply",
        "reminder_days": "7,1",
    },
    {
        "key": "forelopig-svar-vedtak",
        "title": "Foreløpig svar: den sakkyndige vurderingen har ventet en måned på vedtak",
        "description": "Når vedtaket ikke er fattet innen en måned etter den sakkyndige vurderingen, sender skolen "
        "et foreløpig svar om hvorfor og når vedtaket kan ventes (forvaltningsloven § 11 a).",
        "responsible_role": KO,
        **record("vurdering_waiting", 30),
        "fulfilment": "interim_reply",
        "reminder_days": "7,1",
    },
    {
        "key": "klage-skoleeier",
        "title": "Klage på enkeltvedtak: skoleeiers behandling og oversendelse til Statsforvalteren",
        "description": "Skoleeier forbereder klagesaken og vurderer klagen uten ugrunnet opphold. Tas klagen ikke "
        "til følge, sendes saken til Statsforvalteren (forvaltningsloven § 33). Fristen er satt til tre uker fra "
        "klagen kom inn, og kan endres på årshjulet. Den lukkes når oversendelsen, skoleeiers endring av vedtaket "
        "eller det endelige utfallet er registrert i klageregisteret.",
        "responsible_role": R,
        **record("appeal_received", 21),
        "fulfilment": "appeal_forwarded",
        "reminder_days": "7,1",
    },
    {
        "key": "tiltak-evaluering",
        "title": "Evaluere tiltak (avsluttes, videreføres eller justeres)",
        "description": "Tiltaket i oppfølgingsplanen evalueres på evalueringsdatoen. PPT, elevtjenesten og andre "
        "samarbeidspartnere kan støtte evalueringen.",
        "responsible_role": K,
        **record("tiltak_evaluation", 0),
        "fulfilment": "tiltak_evaluated",
        "reminder_days": "7,1",
    },
    {
        "key": "iop-etter-vedtak",
        "title": "IOP utarbeidet etter enkeltvedtak",
        "description": "Når enkeltvedtaket er fattet, skal IOP-en være utarbeidet og publisert innen fristen.",
        "responsible_role": K,
        **record("vedtak_made", 30),
        "fulfilment": "iop_published",
        "reminder_days": "14,7,1",
    },
    {
        "key": "vedtak-utloper",
        "title": "Nytt enkeltvedtak før vedtaket utløper",
        "description": "Vurder behovet videre og be om ny sakkyndig vurdering i god tid før vedtaket utløper.",
        "responsible_role": KO,
        **record("vedtak_expiry", -60),
        "fulfilment": "new_vedtak",
        "reminder_days": "14,7",
    },
    {
        "key": "arsrapport",
        "title": "Årsrapport for hver IOP",
        "description": "Skriftlig oversikt over opplæringen eleven har fått og en vurdering av elevens utvikling "
        "ut fra målene i IOP-en (opplæringslova § 11-10). Sendes eleven/foresatte og skoleeier.",
        "responsible_role": KO,
        "applies_to": "with_iop",
        **before_end(7),
        "fulfilment": "arsrapport",
        "reminder_days": "21,7,1",
    },
]

TRONDELAG: list[dict[str, Any]] = [
    {
        "key": "risikoelever-for-skolestart",
        "title": "Identifisere risikoelever før skolestart",
        "description": "Skolen har et system for å identifisere risikofaktorer rundt elevene. Identifiserte elever "
        "prioriteres til oppstartsamtalen.",
        "responsible_role": KO,
        "applies_to": "school",
        **after_start(-5),
    },
    {
        "key": "informere-kontaktlaerer",
        "title": "Informere kontaktlærer om identifiserte elever",
        "description": "Informasjon om identifiserte elever og hva skolen vet om dem formidles til kontaktlærer før "
        "skolestart (for eksempel på planleggingsdag). Skolen avklarer med PPT om deltakelse.",
        "responsible_role": KO,
        "applies_to": "each_group",
        **after_start(-2),
    },
    {
        "key": "individuell-behandling-ppt",
        "title": "Gjennomgå elever tatt inn med individuell behandling sammen med PPT",
        "responsible_role": KO,
        "applies_to": "school",
        **after_start(-3),
    },
    {
        "key": "melde-ot",
        "title": "Melde fra til OT om elever som ikke møter",
        "description": "Meld fra til oppfølgingstjenesten om elever som ikke møter eller uteblir de første ukene.",
        "responsible_role": K,
        "applies_to": "each_group",
        **after_start(14),
    },
    {
        "key": "iop-ved-skolestart",
        "title": "Utarbeide IOP for elever med sakkyndig vurdering",
        "responsible_role": KO,
        "applies_to": "with_vedtak",
        **after_start(14),
        "fulfilment": "iop_published",
    },
    {
        "key": "oppstartsamtale",
        "title": "Oppstartsamtale med kontaktlærer",
        "description": "Første elevsamtale for alle elever innen 3 uker etter skolestart; identifiserte elever "
        "først. Avdekker samtalen faglige utfordringer, varsler kontaktlærer faglærer og eventuelt elevtjenesten.",
        "responsible_role": K,
        "applies_to": "every_pupil",
        **after_start(21),
        "fulfilment": "talk_held",
        "talk_kind": "oppstartsamtale",
    },
    {
        "key": "privatist-host",
        "title": "Oppmelding til privatisteksamen innen 15. september",
        "responsible_role": KO,
        "applies_to": "school",
        **fixed(9, 15, move=False),
    },
    {
        "key": "sokt-inn-1-februar",
        "title": "Gjennomgå elever søkt inn 1. februar",
        "description": "Avklar om det er behov for individuelt tilrettelagt opplæring (opplæringslova § 11-6) etter "
        "utprøving av tiltak innenfor ordinær opplæring. Eventuelt vedtak om særskilt språkopplæring og valg "
        "av læreplan i norsk.",
        "responsible_role": KO,
        "applies_to": "school",
        **fixed(10, 1),
    },
    {
        "key": "oppfolgingsmoter-host",
        "title": "Oppfølgingsmøter (IKO/klasselærerråd) etter elevsamtaler og kartlegging",
        "description": "Avdelingsleder bør delta; skolen avklarer med PPT om deltakelse. Møtene skal kunne munne "
        "ut i konkrete planer for videre oppfølging.",
        "responsible_role": R,
        "applies_to": "each_group",
        **after_start(49),
        "fulfilment": "meeting_held",
    },
    {
        "key": "mv1",
        "title": "Identifiseringspunkt MV1 for alle elever i alle fag",
        "description": "Innen 15. november. Eventuell henvisning til PPT med pedagogisk rapport; vurdere "
        "opplæringskontrakt.",
        "responsible_role": F,
        "applies_to": "each_group",
        **fixed(11, 15),
    },
    {
        "key": "oppfolgingsmoter-mv1",
        "title": "Oppfølgingsmøter etter MV1",
        "responsible_role": R,
        "applies_to": "each_group",
        **fixed(11, 30),
        "fulfilment": "meeting_held",
    },
    {
        "key": "for-jul-1-februar",
        "title": "Identifisere elever som skal søke 1. februar",
        "description": "Gjennomfør eventuelt møter med aktuelle elever og foresatte; PPT deltar ved behov.",
        "responsible_role": KO,
        "applies_to": "school",
        **fixed(12, 10),
    },
    {
        "key": "samtale-foresatte",
        "title": "Tilby foresatte til elever under 18 år en samtale",
        "description": "Jf. opplæringsforskriften om samtale med foresatte.",
        "responsible_role": K,
        "applies_to": "each_group",
        **fixed(12, 15),
    },
    {
        "key": "halvarsvurdering",
        "title": "Halvårsvurdering for alle elever",
        "responsible_role": F,
        "applies_to": "each_group",
        **fixed(1, 20),
    },
    {
        "key": "oppfolgingsmoter-januar",
        "title": "Identifisere risikoelever og holde oppfølgingsmøter (januar)",
        "responsible_role": R,
        "applies_to": "each_group",
        **fixed(1, 31),
        "fulfilment": "meeting_held",
    },
    {
        "key": "vigo-1-februar",
        "title": "Søknader innen 1. februar (Vigo)",
        "responsible_role": KO,
        "applies_to": "school",
        **fixed(2, 1, move=False),
    },
    {
        "key": "privatist-var",
        "title": "Oppmelding til privatisteksamen innen 15. februar",
        "responsible_role": KO,
        "applies_to": "school",
        **fixed(2, 15, move=False),
    },
    {
        "key": "vigo-1-mars",
        "title": "Søknader innen 1. mars (Vigo), med dokumentasjon",
        "responsible_role": KO,
        "applies_to": "school",
        **fixed(3, 1, move=False),
    },
    {
        "key": "mv2",
        "title": "Identifiseringspunkt MV2 for alle elever i alle fag",
        "responsible_role": F,
        "applies_to": "each_group",
        **fixed(3, 15),
    },
    {
        "key": "oppfolgingsmoter-mv2",
        "title": "Oppfølgingsmøter etter MV2",
        "responsible_role": R,
        "applies_to": "each_group",
        **fixed(3, 31),
        "fulfilment": "meeting_held",
    },
    {
        "key": "vedtak-var",
        "title": "Avklare personlig assistanse (§ 11-4), fysisk tilrettelegging (§ 11-5) og individuelt "
        "tilrettelagt opplæring (§ 11-6)",
        "description": "Inntak med fortrinnsrett, inntaksmøter med elev/foresatte, avgiverskole og PPT; "
        "eventuelle vedtak.",
        "responsible_role": R,
        "applies_to": "school",
        **fixed(5, 15),
    },
    {
        "key": "vurderingssamtaler",
        "title": "Vurderingssamtaler med elever som står i fare for ikke å bli flyttet opp",
        "responsible_role": K,
        "applies_to": "each_group",
        **fixed(6, 1),
    },
    *RECORD_DUTIES,
]

GRUNNSKOLE: list[dict[str, Any]] = [
    {
        "key": "overforing-for-skolestart",
        "title": "Gå gjennom overføringsinformasjon og identifisere elever som trenger oppfølging",
        "responsible_role": KO,
        "applies_to": "school",
        **after_start(-3),
    },
    {
        "key": "iop-ved-skolestart",
        "title": "IOP klar for elever med enkeltvedtak",
        "responsible_role": KO,
        "applies_to": "with_vedtak",
        **after_start(21),
        "fulfilment": "iop_published",
    },
    {
        "key": "elevsamtale-host",
        "title": "Elevsamtale (høst)",
        "responsible_role": K,
        "applies_to": "every_pupil",
        **after_start(35),
        "fulfilment": "talk_held",
        "talk_kind": "elevsamtale",
    },
    {
        "key": "mentorsamtale",
        "title": "Mentorsamtale (ungdomstrinnet)",
        "responsible_role": K,
        "applies_to": "every_pupil",
        **after_start(63),
        "fulfilment": "talk_held",
        "talk_kind": "mentorsamtale",
        "min_year_level": 8,
        "max_year_level": 10,
    },
    {
        "key": "kartlegging-1-3",
        "title": "Kartleggingsprøver 1.–3. trinn gjennomført og fulgt opp",
        "responsible_role": F,
        "applies_to": "each_group",
        **fixed(9, 30),
        "min_year_level": 1,
        "max_year_level": 3,
    },
    {
        "key": "oppfolgingsmoter-host",
        "title": "Oppfølgingsmøter (klasselærerråd) etter samtaler og kartlegging",
        "responsible_role": R,
        "applies_to": "each_group",
        **fixed(10, 31),
        "fulfilment": "meeting_held",
    },
    {
        "key": "utviklingssamtale-host",
        "title": "Utviklingssamtale med elev og foresatte (høst)",
        "description": "Planlagt samtale med kontaktlærer hvert halvår om elevens utvikling.",
        "responsible_role": K,
        "applies_to": "every_pupil",
        **fixed(11, 30),
        "fulfilment": "talk_held",
        "talk_kind": "utviklingssamtale",
    },
    {
        "key": "iup",
        "title": "IUP for hver elev, avtalt i utviklingssamtalen",
        "description": "Individuell utviklingsplan for alle elever (Steinkjer-modellen). Slått av som standard; "
        "skoler som bruker IUP, slår den på.",
        "responsible_role": K,
        "applies_to": "every_pupil",
        **fixed(12, 15),
        "fulfilment": "iup_published",
        "active": False,
    },
    {
        "key": "ppt-henvisning-vurdering",
        "title": "Vurdere henvisning til PPT for elever uten tilfredsstillende utbytte",
        "responsible_role": KO,
        "applies_to": "school",
        **fixed(11, 15),
    },
    {
        "key": "halvarsvurdering",
        "title": "Halvårsvurdering (ungdomstrinnet)",
        "responsible_role": F,
        "applies_to": "each_group",
        **fixed(1, 25),
        "min_year_level": 8,
        "max_year_level": 10,
    },
    {
        "key": "oppfolgingsmoter-var",
        "title": "Oppfølgingsmøter (klasselærerråd) vår",
        "responsible_role": R,
        "applies_to": "each_group",
        **fixed(3, 15),
        "fulfilment": "meeting_held",
    },
    {
        "key": "utviklingssamtale-var",
        "title": "Utviklingssamtale med elev og foresatte (vår)",
        "responsible_role": K,
        "applies_to": "every_pupil",
        **fixed(4, 30),
        "fulfilment": "talk_held",
        "talk_kind": "utviklingssamtale",
    },
    {
        "key": "vedtak-neste-ar",
        "title": "Enkeltvedtak om individuelt tilrettelagt opplæring for neste skoleår",
        "responsible_role": R,
        "applies_to": "school",
        **fixed(5, 15),
    },
    {
        "key": "overgangsmoter",
        "title": "Overgangsmøter for elever som bytter skole (7. og 10. trinn)",
        "responsible_role": KO,
        "applies_to": "school",
        **fixed(5, 31),
    },
    *RECORD_DUTIES,
]

#: The written IUP is for the years without grades (grades are set from årskurs 6).
SE_LAST_YEAR_WITHOUT_GRADES = 5

#: The Swedish support chain's dated duties: a decided åtgärdsprogram states
#: when it is followed up and when it is evaluated (skollagen 3 kap. 9 §);
#: the dates come from the programme (``followup.atgardsprogram_sources``).
SE_SUPPORT_DUTIES: list[dict[str, Any]] = [
    {
        "key": "utredning-sarskilt-stod",
        "title": "Utredning av behov av särskilt stöd",
        "description": "En utredning av elevens behov av särskilt stöd har inletts. Rektorn ska se till att "
        "behovet utreds skyndsamt (skollagen 3 kap. 7 §). Fristen är satt till fyra veckor från att utredningen "
        "inleddes och kan ändras på årshjulet. Den stängs när utredningen är avslutad.",
        "responsible_role": R,
        **record("utredning_open", 28),
        "reminder_days": "7,1",
    },
    {
        "key": "utkast-efter-utredning",
        "title": "Utkast till beslut efter utredningen",
        "description": "Utredningen är avslutad. Visar den att eleven behöver särskilt stöd ska ett åtgärdsprogram "
        "utarbetas; annars beslutar rektorn att inte utarbeta ett (skollagen 3 kap. 9 §). Skriv utkastet till "
        "beslut, som rektorn sedan beslutar. Fristen är satt till två veckor från att utredningen avslutades och "
        "kan ändras på årshjulet. Den stängs när ett utkast finns.",
        "responsible_role": K,
        **record("utredning_done", 14),
        "reminder_days": "7,1",
    },
    {
        "key": "atgardsprogram-beslut",
        "title": "Beslut om åtgärdsprogram",
        "description": "Ett utkast till beslut om åtgärdsprogram, eller om att inte utarbeta ett, väntar på "
        "rektorns beslut. Rektorn beslutar och kan inte överlåta beslut om särskilda stödformer (skollagen 3 kap. "
        "9 och 11–12 §§). Fristen är satt till en vecka från utkastet och kan ändras på årshjulet. Den stängs när "
        "beslutet är fattat.",
        "responsible_role": R,
        **record("ap_draft", 7),
        "reminder_days": "1",
    },
    {
        "key": "atgardsprogram-uppfoljning",
        "title": "Uppföljning av åtgärdsprogram",
        "description": "Följ upp åtgärderna i elevens åtgärdsprogram den dag programmet anger (skollagen 3 kap. 9 §).",
        "responsible_role": K,
        **record("ap_follow_up", 0),
        "weekend_to_monday": False,  # the date the programme itself states
        "reminder_days": "7,1",
    },
    {
        "key": "atgardsprogram-utvardering",
        "title": "Utvärdering av åtgärdsprogram",
        "description": "Utvärdera om åtgärderna har tillgodosett elevens behov; rektorn beslutar om ändringar "
        "(skollagen 3 kap. 9 §).",
        "responsible_role": R,
        **record("ap_evaluation", 0),
        "weekend_to_monday": False,  # the date the programme itself states
        "fulfilment": "ap_evaluated",
        "reminder_days": "14,7,1",
    },
]

GRUNDSKOLA_SE: list[dict[str, Any]] = [
    {
        "key": "utvecklingssamtal-ht",
        "title": "Utvecklingssamtal med elev och vårdnadshavare (höstterminen)",
        "description": "Minst en gång varje termin har eleven, vårdnadshavaren och läraren ett utvecklingssamtal "
        "om elevens kunskapsutveckling och sociala utveckling (skollagen 10 kap. 12 §). Ett samtal uppfyller en "
        "termin, inte två.",
        "responsible_role": K,
        "applies_to": "every_pupil",
        **fixed(12, 10),
        "fulfilment": "talk_held",
        "talk_kind": "utviklingssamtale",
    },
    {
        "key": "extra-anpassningar-ht",
        "title": "Följa upp extra anpassningar (höstterminen)",
        "description": "Extra anpassningar inom den ordinarie undervisningen dokumenteras och följs upp. Räcker de "
        "inte, anmäls det till rektorn (skollagen 3 kap. 7 §).",
        "responsible_role": K,
        "applies_to": "each_group",
        **fixed(11, 15),
    },
    {
        "key": "extra-anpassningar-vt",
        "title": "Följa upp extra anpassningar (vårterminen)",
        "description": "Extra anpassningar inom den ordinarie undervisningen dokumenteras och följs upp. Räcker de "
        "inte, anmäls det till rektorn (skollagen 3 kap. 7 §).",
        "responsible_role": K,
        "applies_to": "each_group",
        **fixed(3, 15),
    },
    {
        "key": "utvecklingssamtal-vt",
        "title": "Utvecklingssamtal med elev och vårdnadshavare (vårterminen)",
        "description": "Minst en gång varje termin har eleven, vårdnadshavaren och läraren ett utvecklingssamtal "
        "om elevens kunskapsutveckling och sociala utveckling (skollagen 10 kap. 12 §). Ett samtal uppfyller en "
        "termin, inte två.",
        "responsible_role": K,
        "applies_to": "every_pupil",
        **fixed(5, 15),
        "fulfilment": "talk_held",
        "talk_kind": "utviklingssamtale",
    },
    {
        "key": "skriftlig-iup",
        "title": "Skriftlig individuell utvecklingsplan (IUP)",
        "description": "En gång per läsår, vid ett av utvecklingssamtalen, tar läraren fram en skriftlig IUP med "
        "omdömen om kunskapsutvecklingen i varje ämne som eleven undervisas i och en framåtsyftande planering "
        "(skollagen 10 kap. 13 §). Gäller årskurserna utan betyg (årskurs 1–5).",
        "responsible_role": K,
        "applies_to": "every_pupil",
        **fixed(5, 15),
        "fulfilment": "iup_published",
        "min_year_level": 1,
        "max_year_level": SE_LAST_YEAR_WITHOUT_GRADES,
    },
    {
        "key": "atgardsprogram-arsoversyn",
        "title": "Följa upp och utvärdera åtgärdsprogram före terminens slut",
        "description": "Rektorn ser till att varje åtgärdsprogram följs upp och utvärderas, och beslutar om det ska "
        "fortsätta, ändras eller avslutas (skollagen 3 kap. 9 §).",
        "responsible_role": R,
        "applies_to": "school",
        **before_end(21),
    },
    {
        "key": "utredning-efter-anmalan",
        "title": "Utreda behovet av särskilt stöd efter en anmälan",
        "description": "När det befaras att en elev inte kommer att nå kunskapskraven trots extra anpassningar, "
        "ser rektorn till att behovet av särskilt stöd skyndsamt utreds (skollagen 3 kap. 7 §).",
        "responsible_role": R,
        **record("concern_filed", 21),
        "fulfilment": "kartlegging",
        "reminder_days": "7,1",
    },
    {
        "key": "extra-anpassning-uppfoljning",
        "title": "Följa upp den extra anpassningen",
        "description": "Den extra anpassningen följs upp på uppföljningsdatumet: avslutas, fortsätter eller ändras.",
        "responsible_role": K,
        **record("ea_follow_up", 0),
        "weekend_to_monday": False,  # the date the school itself chose
        "reminder_days": "7,1",
    },
    *SE_SUPPORT_DUTIES,
]

BUILTIN_SETS: dict[str, tuple[str, str, list[dict[str, Any]]]] = {
    "trondelag-vgs": (
        "Årshjul for helhetlig elevoppfølging (Trøndelag, videregående)",
        "Trøndelag fylkeskommunes årshjul for identifisering og oppfølging når det oppstår bekymring rundt en elev.",
        TRONDELAG,
    ),
    "grunnskole-no": (
        "Årshjul for grunnskolen",
        "Elevoppfølging i barne- og ungdomsskolen: samtaler hvert halvår, oppfølgingsmøter, kartlegging og overganger.",
        GRUNNSKOLE,
    ),
    "grundskola-se": (
        "Årshjul för grundskolan (Sverige)",
        "Uppföljning enligt skollagen: utvecklingssamtal varje termin, skriftlig IUP i årskurserna utan betyg, "
        "extra anpassningar och åtgärdsprogram.",
        GRUNDSKOLA_SE,
    ),
}

DEFAULTS: dict[str, Any] = {
    "description": "",
    "month": None,
    "day": None,
    "offset_days": 0,
    "record_event": "",
    "weekend_to_monday": True,
    "reminder_days": "7,1",
    "fulfilment": "manual",
    "talk_kind": "",
    "min_year_level": None,
    "max_year_level": None,
    "active": True,
}


def load_builtin(aarshjul_model: Any, duty_model: Any) -> int:
    """Create or update the built-in sets (idempotent). Takes the models so a
    migration can pass its historical ones."""
    count = 0
    for builtin_key, (name, description, duties) in BUILTIN_SETS.items():
        wheel, _created = aarshjul_model.objects.update_or_create(
            builtin_key=builtin_key, defaults={"name": name, "description": description}
        )
        count += _sync_duties(duty_model, wheel, duties)
    return count


def copy_to_skoleeier(aarshjul_model: Any, duty_model: Any, *, builtin_key: str, skoleeier: Any) -> Any:
    """Give a school owner its own copy of a built-in set to edit."""
    name, description, duties = BUILTIN_SETS[builtin_key]
    wheel, _created = aarshjul_model.objects.update_or_create(
        skoleeier=skoleeier, defaults={"name": f"{name} – {skoleeier}", "description": description}
    )
    _sync_duties(duty_model, wheel, duties)
    return wheel


def _sync_duties(duty_model: Any, wheel: Any, duties: list[dict[str, Any]]) -> int:
    """WHEEL's duties as DUTIES say (by key), in a few queries: a reload after
    the tables were emptied creates them all at once."""
    existing = {d.key: d for d in duty_model.objects.filter(aarshjul=wheel)}
    new: list[Any] = []
    changed: list[Any] = []
    fields: set[str] = set()
    for order, spec in enumerate(duties):
        values = {**DEFAULTS, **spec, "order": order * 10}
        key = values.pop("key")
        duty = existing.get(key)
        if duty is None:
            new.append(duty_model(aarshjul=wheel, key=key, **values))
            continue
        differ = {name for name, value in values.items() if getattr(duty, name) != value}
        for name in differ:
            setattr(duty, name, values[name])
        if differ:
            changed.append(duty)
            fields |= differ
    duty_model.objects.bulk_create(new)
    if changed:
        duty_model.objects.bulk_update(changed, sorted(fields))
    return len(duties)
