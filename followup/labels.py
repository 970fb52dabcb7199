"""Menu labels, importable from settings (no models here)."""

from django.utils.translation import gettext_lazy as _

DEADLINES = _("Deadlines")
MEETINGS = _("Follow-up meetings")
AARSHJUL = _("Årshjul")
