"""URLs of the Swedish support chain (namespace ``atgardsprogram``), included under ``stod/``."""

from django.urls import path

from . import views

app_name = "atgardsprogram"

urlpatterns = [
    path("elev/<uuid:pupil_id>/", views.support_page, name="support"),
    path("elev/<uuid:pupil_id>/anpassning/ny/", views.anpassning_create, name="anpassning_create"),
    path("elev/<uuid:pupil_id>/utredning/ny/", views.utredning_create, name="utredning_create"),
    path("anpassning/<uuid:pk>/", views.anpassning_edit, name="anpassning"),
    path("anpassning/<uuid:pk>/uppfoljning/", views.anpassning_follow_up, name="anpassning_follow_up"),
    path("utredning/<uuid:pk>/", views.utredning_detail, name="utredning"),
    path("utredning/<uuid:pk>/slutsats/", views.utredning_conclude, name="utredning_conclude"),
    path("utredning/<uuid:pk>/beslut/ny/", views.programme_create, name="programme_create"),
    path("beslut/<uuid:pk>/", views.programme_detail, name="programme"),
    path("beslut/<uuid:pk>/redigera/", views.programme_edit, name="programme_edit"),
    path("beslut/<uuid:pk>/besluta/", views.programme_decide, name="programme_decide"),
    path("beslut/<uuid:pk>/delgiven/", views.programme_notified, name="programme_notified"),
    path("beslut/<uuid:pk>/utvardering/", views.programme_evaluate, name="programme_evaluate"),
    path("beslut/<uuid:pk>/pdf/", views.programme_pdf, name="programme_pdf"),
    path("beslut/<uuid:pk>/overklagande/ny/", views.overklagande_create, name="overklagande_create"),
    path("overklagande/<uuid:pk>/", views.overklagande_edit, name="overklagande"),
]
