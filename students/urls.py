from django.contrib.auth import views as auth_views
from django.urls import path

from . import operator_views, sso, views
from .forms import LoginForm, PasswordResetForm

urlpatterns = [
    path("", views.home, name="home"),
    path("elever/", views.pupil_list, name="pupil_list"),
    path("elever/<uuid:pupil_id>/", views.pupil_detail, name="pupil_detail"),
    path("elever/<uuid:pupil_id>/flytt/", views.pupil_move, name="pupil_move"),
    path("elever/<uuid:pupil_id>/arkiv/", views.pupil_archive, name="pupil_archive"),
    path("helse/", views.healthz, name="healthz"),
    path("drift/import/", operator_views.roster_imports, name="roster_imports"),
    path("drift/import/<uuid:import_id>/", operator_views.roster_import_detail, name="roster_import_detail"),
    path("drift/import/<uuid:import_id>/bruk/", operator_views.roster_import_apply, name="roster_import_apply"),
    path("drift/import/<uuid:import_id>/forkast/", operator_views.roster_import_discard, name="roster_import_discard"),
    path("drift/skolear/", operator_views.school_years, name="school_years"),
    path("drift/skolear/<int:schoolyear_id>/", operator_views.school_year_edit, name="school_year_edit"),
    path(
        "konto/logg-inn/",
        sso.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("konto/logg-ut/", sso.logout, name="logout"),
    # Single sign-on (the names are the ones django-allauth reverses).
    path("konto/sso/<str:provider_id>/", sso.sso_login, name="openid_connect_login"),
    path("konto/sso/<str:provider_id>/tilbake/", sso.sso_callback, name="openid_connect_callback"),
    path("konto/passord/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("konto/passord/endret/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "konto/glemt-passord/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("konto/glemt-passord/sendt/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "konto/nytt-passord/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "konto/nytt-passord/ferdig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
