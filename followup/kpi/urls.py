from django.urls import path

from . import views

app_name = "kpi"

urlpatterns = [
    path("", views.key_figures, name="key_figures"),
    path("nokkeltall.csv", views.key_figures_csv, name="key_figures_csv"),
    path("samtaler-denne-terminen/", views.term_talks, name="term_talks"),
    path("tilpasset-opplaering/", views.adapted_teaching, name="adapted_teaching"),
    path("tilpasset-opplaering.csv", views.adapted_teaching_csv, name="adapted_teaching_csv"),
]
