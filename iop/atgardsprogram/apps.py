from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AtgardsprogramConfig(AppConfig):
    name = "iop.atgardsprogram"
    label = "atgardsprogram"
    verbose_name = _("Support in Swedish schools (åtgärdsprogram)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import pdfs

        pdfs.register()
