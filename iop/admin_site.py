from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.http import HttpRequest, HttpResponse


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete answers use a model's ``admin_label`` where it has one:
    namesakes and every school's 5A told apart (school, year, birth date, e-mail)."""

    def serialize_result(self, obj: Any, to_field_name: str) -> dict[str, str]:
        result: dict[str, str] = super().serialize_result(obj, to_field_name)
        label = getattr(obj, "admin_label", None)
        if label:
            result["text"] = str(label)
        return result


class OperatorAdminSite(AdminSite):
    """The admin is for operators: superusers only, whatever is_staff says."""

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        response = LabelledAutocompleteJsonView.as_view(admin_site=self)(request)
        assert isinstance(response, HttpResponse)  # a JSON answer or a refusal, never streamed
        return response

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)


class OperatorAdminConfig(AdminConfig):
    default_site = "iop.admin_site.OperatorAdminSite"
