"""URLs of the plan domain (namespace ``iop``). ``iop/urls.py`` is the
project's root URLconf and includes this module."""

from django.urls import path

from . import views

app_name = "iop"

urlpatterns = [
    path("elever/<uuid:pupil_id>/sakkyndig-vurdering/ny/", views.vurdering_create, name="vurdering_create"),
    path("elever/<uuid:pupil_id>/innsyn/", views.access_log, name="access_log"),
    path("elever/<uuid:pupil_id>/vikar/", views.vikar_access, name="vikar_access"),
    path("elever/<uuid:pupil_id>/vikar/fjern/", views.vikar_revoke, name="vikar_revoke"),
    path("sakkyndig-vurdering/<uuid:pk>/", views.vurdering_detail, name="vurdering_detail"),
    path("sakkyndig-vurdering/<uuid:pk>/endre/", views.vurdering_edit, name="vurdering_edit"),
    path("sakkyndig-vurdering/<uuid:pk>/fullfor/", views.vurdering_complete, name="vurdering_complete"),
    path("sakkyndig-vurdering/<uuid:pk>/vedtak/ny/", views.vedtak_create, name="vedtak_create"),
    path("vedtak/<uuid:pk>/", views.vedtak_detail, name="vedtak_detail"),
    path("vedtak/<uuid:pk>/endre/", views.vedtak_edit, name="vedtak_edit"),
    path("vedtak/<uuid:pk>/fatt/", views.vedtak_make, name="vedtak_make"),
    path("vedtak/<uuid:pk>/iop/ny/", views.iop_create, name="iop_create"),
    path("iop/<uuid:pk>/", views.iop_detail, name="iop_detail"),
    path("iop/<uuid:pk>/endre/", views.iop_update, name="iop_update"),
    path("iop/<uuid:pk>/publiser/", views.iop_publish, name="iop_publish"),
    path("iop/<uuid:pk>/flytt-til-nytt-vedtak/", views.iop_move_to_vedtak, name="iop_move_to_vedtak"),
    path("iop/<uuid:pk>/arkiver/", views.iop_archive, name="iop_archive"),
    path("iop/<uuid:pk>/mal/ny/", views.goal_create, name="goal_create"),
    path("iop/<uuid:pk>/undervisning/", views.teaching_log_create, name="teaching_log_create"),
    path("iop/<uuid:pk>/undervisning/logg/", views.teaching_log_list, name="teaching_log_list"),
    path("undervisning/<uuid:pk>/endre/", views.teaching_log_update, name="teaching_log_update"),
    path("undervisning/<uuid:pk>/slett/", views.teaching_log_delete, name="teaching_log_delete"),
    path("iop/<uuid:pk>/sammenlign/", views.iop_compare, name="iop_compare"),
    path("iop-fag/<uuid:pk>/endre/", views.section_update, name="section_update"),
    path("mal/<uuid:pk>/", views.goal_detail, name="goal_detail"),
    path("mal/<uuid:pk>/endre/", views.goal_update, name="goal_update"),
    path("mal/<uuid:pk>/flytt/", views.goal_move, name="goal_move"),
    path("mal/<uuid:pk>/slett/", views.goal_delete, name="goal_delete"),
    path("mal/<uuid:pk>/logg/", views.goal_log_create, name="goal_log_create"),
    path("mal/<uuid:pk>/kompetansemal/", views.goal_aims, name="goal_aims"),
    path("mal/<uuid:pk>/kompetansemal/endre/", views.goal_aims_update, name="goal_aims_update"),
    path("mal/<uuid:pk>/laeringsbank/", views.goal_bank, name="goal_bank"),
    path("mal/<uuid:pk>/laeringsbank/bruk/", views.goal_bank_use, name="goal_bank_use"),
    path("mal/<uuid:pk>/del/", views.goal_share, name="goal_share"),
    path("laeringsbank/", views.bank_list, name="bank_list"),
    path("laeringsbank/<uuid:pk>/fjern/", views.bank_entry_remove, name="bank_entry_remove"),
    path("historikk/<slug:kind>/<uuid:pk>/", views.document_history, name="history"),
    path("oversikt/klar-linje/", views.overview, name="overview"),
    # IUP
    path("elever/<uuid:pupil_id>/iup/ny/", views.iup_create, name="iup_create"),
    path("iup/", views.iup_list, name="iup_list"),
    path("iup/skjema/", views.iup_settings, name="iup_settings"),
    path("iup/skjema/<int:school_id>/", views.iup_settings_edit, name="iup_settings_edit"),
    path("iup/<uuid:pk>/", views.iup_detail, name="iup_detail"),
    path("iup/<uuid:pk>/endre/", views.iup_update, name="iup_update"),
    path("iup/<uuid:pk>/publiser/", views.iup_publish, name="iup_publish"),
    path("iup/<uuid:pk>/arkiver/", views.iup_archive, name="iup_archive"),
    path("iup/<uuid:pk>/pdf/", views.iup_pdf, name="iup_pdf"),
    path("iup/<uuid:pk>/sammenlign/", views.iup_compare, name="iup_compare"),
    path("iup/<uuid:pk>/mal/ny/", views.iup_goal_create, name="iup_goal_create"),
    path("iup-vurdering/<uuid:pk>/endre/", views.assessment_update, name="assessment_update"),
]
