from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("IOP and IUP – operators")
admin.site.site_title = _("IOP and IUP – operators")

urlpatterns = [
    path("", include("students.urls")),
    path("", include("iop.app_urls")),
    path("rapporter/", include("iop.reports.urls")),
    path("oppfolging/", include("followup.urls")),
    path("nokkeltall/", include("followup.kpi.urls")),
    path("admin/", admin.site.urls),
]
