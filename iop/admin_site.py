from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class OperatorAdminSite(AdminSite):
    """The admin is for operators: superusers only, whatever is_staff says."""

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)


class OperatorAdminConfig(AdminConfig):
    default_site = "iop.admin_site.OperatorAdminSite"
