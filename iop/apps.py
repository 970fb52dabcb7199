from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def use_site_domain_for_message_ids() -> None:
    """E-mails' Message-ID names the site (``<…@iop.example-kommune.no>``), not
    the container's host name (often ``localhost``, which spam filters mark).
    Django builds the ID from ``django.core.mail.utils.DNS_NAME``; its cached
    name is set from ``SITE_URL`` when that names a real host."""
    from django.core.mail.utils import DNS_NAME

    from .deploy_checks import LOCAL_HOSTS

    host = urlsplit(settings.SITE_URL).hostname
    if host and host not in LOCAL_HOSTS:
        DNS_NAME._fqdn = host


class IopConfig(AppConfig):
    name = "iop"
    verbose_name = _("Plans")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from simple_history.signals import post_create_historical_record, pre_create_historical_record

        from . import collapse, deploy_checks  # noqa: F401 – registers the system checks
        from .services import connect_archive_check

        pre_create_historical_record.connect(collapse.before_record, dispatch_uid="iop-collapse-before")
        post_create_historical_record.connect(collapse.after_record, dispatch_uid="iop-collapse-after")

        use_site_domain_for_message_ids()
        connect_archive_check()
