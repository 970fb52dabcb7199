"""Attribution required by the licence of the curriculum data.

Udir publishes the curriculum (Grep) under NLOD, the Norwegian Licence for Open
Government Data. NLOD lets us copy, change and combine the data, also
commercially, on one condition: wherever imported curriculum data is shown, the
source must be given as Udir asks, in Norwegian:

    "Inneholder data under NLOD, tilgjengeliggjort på data.udir.no"

(English: "Contains data under NLOD, made available at data.udir.no").
Udir's logo must not be used, and the data must not be shown in a misleading
or distorted way.

Every page or PDF that shows competence aims, curricula or core elements must
therefore include :data:`ATTRIBUTION_TEMPLATE` (or render :data:`ATTRIBUTION`).
The msgid is English; the Norwegian text comes from the translation catalogue.
"""

from django.utils.translation import gettext_lazy as _

ATTRIBUTION = _("Contains data under NLOD, made available at data.udir.no")
ATTRIBUTION_TEMPLATE = "curriculum/_attribution.html"
LICENCE_URL = "https://data.norge.no/nlod/no"
SOURCE_URL = "https://www.udir.no/om-udir/data/"
