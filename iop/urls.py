from pathlib import Path

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

admin.site.site_header = _("IOP and IUP – operators")
admin.site.site_title = _("IOP and IUP – operators")

FAVICON = Path(__file__).resolve().parent.parent / "static" / "img" / "favicon.svg"


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages without an icon link (the admin, a PDF)."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/svg+xml")
    patch_cache_control(response, public=True, max_age=60 * 60 * 24)
    return response


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("", include("students.urls")),
    path("", include("iop.app_urls")),
    path("rapporter/", include("iop.reports.urls")),
    path("stod/", include("iop.atgardsprogram.urls")),
    path("oppfolging/", include("followup.urls")),
    path("nokkeltall/", include("followup.kpi.urls")),
    path("admin/", admin.site.urls),
]
