"""The built-in årshjul's duty titles in the reader's language.

The duties of the built-in sets (:mod:`followup.aarshjul_data`) are data in
the school's working language, bokmål, and so are the deadlines made from
them (``Deadline.title`` is the duty's title when it was made). A title is
shown through :func:`shown`: a built-in duty's own bokmål title, on the duty
or on a deadline, shows in the reader's language (nynorsk, Swedish,
English); a title the school owner or the school wrote or changed shows as
written. Looking up by the text, not the duty's key, keeps a changed title
as its writer wrote it, and needs no key on the deadline (the keys of the
sets also overlap with different titles). The Swedish set is in Swedish and
is shown as it is.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

CONTEXT = "built-in årshjul duty"

#: Each built-in Norwegian duty's title (bokmål, as stored) and the string it is shown as.
TITLES: dict[str, Promise] = {
    "Identifisere risikoelever før skolestart": pgettext_lazy(CONTEXT, "Identify pupils at risk before school starts"),
    "Informere kontaktlærer om identifiserte elever": pgettext_lazy(
        CONTEXT, "Inform the contact teacher about the identified pupils"
    ),
    "Gjennomgå elever tatt inn med individuell behandling sammen med PPT": pgettext_lazy(
        CONTEXT, "Review pupils admitted on individual grounds together with PPT"
    ),
    "Melde fra til OT om elever som ikke møter": pgettext_lazy(
        CONTEXT, "Report pupils who do not attend to the follow-up service (OT)"
    ),
    "Utarbeide IOP for elever med sakkyndig vurdering": pgettext_lazy(
        CONTEXT, "Make the IOP for pupils with a sakkyndig vurdering"
    ),
    "Oppstartsamtale med kontaktlærer": pgettext_lazy(CONTEXT, "Start-of-year talk with the contact teacher"),
    "Oppmelding til privatisteksamen innen 15. september": pgettext_lazy(
        CONTEXT, "Registration for private-candidate exams by 15 September"
    ),
    "Gjennomgå elever søkt inn 1. februar": pgettext_lazy(CONTEXT, "Review pupils who applied by 1 February"),
    "Oppfølgingsmøter (IKO/klasselærerråd) etter elevsamtaler og kartlegging": pgettext_lazy(
        CONTEXT, "Follow-up meetings (IKO/class teachers' council) after pupil talks and kartlegging"
    ),
    "Identifiseringspunkt MV1 for alle elever i alle fag": pgettext_lazy(
        CONTEXT, "Identification point MV1 for all pupils in all subjects"
    ),
    "Oppfølgingsmøter etter MV1": pgettext_lazy(CONTEXT, "Follow-up meetings after MV1"),
    "Identifisere elever som skal søke 1. februar": pgettext_lazy(
        CONTEXT, "Identify pupils who will apply by 1 February"
    ),
    "Tilby foresatte til elever under 18 år en samtale": pgettext_lazy(
        CONTEXT, "Offer the guardians of pupils under 18 a talk"
    ),
    "Halvårsvurdering for alle elever": pgettext_lazy(CONTEXT, "Half-year assessment for all pupils"),
    "Identifisere risikoelever og holde oppfølgingsmøter (januar)": pgettext_lazy(
        CONTEXT, "Identify pupils at risk and hold follow-up meetings (January)"
    ),
    "Søknader innen 1. februar (Vigo)": pgettext_lazy(CONTEXT, "Applications by 1 February (Vigo)"),
    "Oppmelding til privatisteksamen innen 15. februar": pgettext_lazy(
        CONTEXT, "Registration for private-candidate exams by 15 February"
    ),
    "Søknader innen 1. mars (Vigo), med dokumentasjon": pgettext_lazy(
        CONTEXT, "Applications by 1 March (Vigo), with documentation"
    ),
    "Identifiseringspunkt MV2 for alle elever i alle fag": pgettext_lazy(
        CONTEXT, "Identification point MV2 for all pupils in all subjects"
    ),
    "Oppfølgingsmøter etter MV2": pgettext_lazy(CONTEXT, "Follow-up meetings after MV2"),
    (
        "Avklare personlig assistanse (§ 11-4), fysisk tilrettelegging "
        "(§ 11-5) og individuelt tilrettelagt opplæring (§ 11-6)"
    ): pgettext_lazy(
        CONTEXT,
        (
            "Decide on personal assistance (§ 11-4), physical adaptation "
            "(§ 11-5) and individually adapted teaching (§ 11-6)"
        ),
    ),
    "Vurderingssamtaler med elever som står i fare for ikke å bli flyttet opp": pgettext_lazy(
        CONTEXT, "Assessment talks with pupils at risk of not moving up"
    ),
    "Kartlegging etter bekymringsmelding": pgettext_lazy(CONTEXT, "Kartlegging after a concern"),
    "Sakkyndig vurdering etter henvisning til PPT": pgettext_lazy(
        CONTEXT, "Sakkyndig vurdering after a referral to PPT"
    ),
    "Enkeltvedtak etter sakkyndig vurdering": pgettext_lazy(CONTEXT, "Enkeltvedtak after the sakkyndig vurdering"),
    "Foreløpig svar: henvisningen har ventet en måned på sakkyndig vurdering": pgettext_lazy(
        CONTEXT, "Interim reply: the referral has waited a month for the sakkyndig vurdering"
    ),
    "Foreløpig svar: den sakkyndige vurderingen har ventet en måned på vedtak": pgettext_lazy(
        CONTEXT, "Interim reply: the sakkyndig vurdering has waited a month for a decision"
    ),
    "Klage på enkeltvedtak: skoleeiers behandling og oversendelse til Statsforvalteren": pgettext_lazy(
        CONTEXT, "Appeal against an enkeltvedtak: the school owner's review and sending it on to Statsforvalteren"
    ),
    "Evaluere tiltak (avsluttes, videreføres eller justeres)": pgettext_lazy(
        CONTEXT, "Evaluate the tiltak (ended, continued or adjusted)"
    ),
    "IOP utarbeidet etter enkeltvedtak": pgettext_lazy(CONTEXT, "IOP made after the enkeltvedtak"),
    "Nytt enkeltvedtak før vedtaket utløper": pgettext_lazy(CONTEXT, "A new enkeltvedtak before the decision expires"),
    "Årsrapport for hver IOP": pgettext_lazy(CONTEXT, "Årsrapport for each IOP"),
    "Gå gjennom overføringsinformasjon og identifisere elever som trenger oppfølging": pgettext_lazy(
        CONTEXT, "Go through the transfer information and identify pupils who need follow-up"
    ),
    "IOP klar for elever med enkeltvedtak": pgettext_lazy(CONTEXT, "IOP ready for pupils with an enkeltvedtak"),
    "Elevsamtale (høst)": pgettext_lazy(CONTEXT, "Pupil talk (autumn)"),
    "Mentorsamtale (ungdomstrinnet)": pgettext_lazy(CONTEXT, "Mentor talk (lower secondary)"),
    "Kartleggingsprøver 1.–3. trinn gjennomført og fulgt opp": pgettext_lazy(
        CONTEXT, "Kartlegging tests in years 1–3 done and followed up"
    ),
    "Oppfølgingsmøter (klasselærerråd) etter samtaler og kartlegging": pgettext_lazy(
        CONTEXT, "Follow-up meetings (class teachers' council) after talks and kartlegging"
    ),
    "Utviklingssamtale med elev og foresatte (høst)": pgettext_lazy(
        CONTEXT, "Development talk with the pupil and guardians (autumn)"
    ),
    "IUP for hver elev, avtalt i utviklingssamtalen": pgettext_lazy(
        CONTEXT, "An IUP for every pupil, agreed at the development talk"
    ),
    "Vurdere henvisning til PPT for elever uten tilfredsstillende utbytte": pgettext_lazy(
        CONTEXT, "Consider a referral to PPT for pupils without satisfactory benefit from teaching"
    ),
    "Halvårsvurdering (ungdomstrinnet)": pgettext_lazy(CONTEXT, "Half-year assessment (lower secondary)"),
    "Oppfølgingsmøter (klasselærerråd) vår": pgettext_lazy(
        CONTEXT, "Follow-up meetings (class teachers' council), spring"
    ),
    "Utviklingssamtale med elev og foresatte (vår)": pgettext_lazy(
        CONTEXT, "Development talk with the pupil and guardians (spring)"
    ),
    "Enkeltvedtak om individuelt tilrettelagt opplæring for neste skoleår": pgettext_lazy(
        CONTEXT, "Enkeltvedtak on individually adapted teaching for the next school year"
    ),
    "Overgangsmøter for elever som bytter skole (7. og 10. trinn)": pgettext_lazy(
        CONTEXT, "Transition meetings for pupils changing school (years 7 and 10)"
    ),
}


def shown(title: str) -> str:
    """TITLE (a duty's or a deadline's) in the active language when it is a built-in duty's own."""
    promise = TITLES.get(title)
    return str(promise) if promise is not None else title
