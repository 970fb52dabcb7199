from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up over the school year")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import archived, chain, pdfs, plan_notices, roster, transfers

        pdfs.register()
        chain.connect()
        roster.connect_signals()
        plan_notices.connect_signals()
        transfers.connect()
        archived.connect()
