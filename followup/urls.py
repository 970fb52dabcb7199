from django.urls import path

from . import views

app_name = "followup"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("kjeden/", views.pipeline, name="pipeline"),
    path("frist/<uuid:deadline_id>/utfort/", views.deadline_complete, name="deadline_complete"),
    path("varsler/", views.notifications, name="notifications"),
    path("varsler/lest/", views.notifications_read, name="notifications_read"),
    path("innstillinger/", views.preferences, name="preferences"),
    path("innstillinger/ny-kalenderadresse/", views.ical_renew, name="ical_renew"),
    path("kalender/<str:token>.ics", views.ical_feed, name="ical"),
    path("elev/<uuid:pupil_id>/", views.pupil, name="pupil"),
    path("elev/<uuid:pupil_id>/bekymring/ny/", views.concern_create, name="concern_create"),
    path("elev/<uuid:pupil_id>/kartlegging/ny/", views.kartlegging_create, name="kartlegging_create"),
    path("elev/<uuid:pupil_id>/oppfolgingsplan/", views.plan_edit, name="plan_edit"),
    path("elev/<uuid:pupil_id>/tiltak/nytt/", views.tiltak_create, name="tiltak_create"),
    path("elev/<uuid:pupil_id>/henvisning/ny/", views.referral_create, name="referral_create"),
    path("elev/<uuid:pupil_id>/samtale/ny/", views.talk_create, name="talk_create"),
    path("bekymring/<uuid:concern_id>/", views.concern_detail, name="concern_detail"),
    path("bekymring/<uuid:concern_id>/mottatt/", views.concern_receive, name="concern_receive"),
    path("bekymring/<uuid:concern_id>/lukk/", views.concern_close, name="concern_close"),
    path("tiltak/<uuid:tiltak_id>/", views.tiltak_detail, name="tiltak_detail"),
    path("tiltak/<uuid:tiltak_id>/evaluering/", views.tiltak_evaluate, name="tiltak_evaluate"),
    path("henvisning/<uuid:referral_id>/", views.referral_detail, name="referral_detail"),
    path("henvisning/<uuid:referral_id>/endre/", views.referral_edit, name="referral_edit"),
    path("henvisning/<uuid:referral_id>/samtykke/", views.consent_create, name="consent_create"),
    path("henvisning/<uuid:referral_id>/send/", views.referral_send, name="referral_send"),
    path("henvisning/<uuid:referral_id>/pedagogisk-rapport.pdf", views.referral_pdf, name="referral_pdf"),
    path("samtale/<uuid:talk_id>/", views.talk_edit, name="talk_edit"),
    path("samtaler/gruppe/<int:group_id>/", views.talk_overview, name="talk_overview"),
    path("moter/", views.meeting_list, name="meeting_list"),
    path("moter/nytt/", views.meeting_create, name="meeting_create"),
    path("moter/<uuid:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("moter/<uuid:meeting_id>/elev/<uuid:pupil_id>/beslutning/", views.meeting_decision, name="meeting_decision"),
    path("arshjul/", views.aarshjul, name="aarshjul"),
    path("arshjul/<int:school_id>/plikt/ny/", views.duty_create, name="duty_create"),
    path("arshjul/<int:school_id>/plikt/<slug:key>/", views.duty_edit, name="duty_edit"),
    path("arshjul/<int:school_id>/plikt/<slug:key>/tilbakestill/", views.duty_reset, name="duty_reset"),
    path("arshjul/<int:school_id>/oppdater-frister/", views.deadlines_regenerate, name="deadlines_regenerate"),
]
