from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    """Key figures for skoleeier and school (IUP coverage, talks), read from
    the plans (iop) and the talks (followup)."""

    name = "followup.kpi"
    label = "kpi"
    verbose_name = _("Key figures")
