"""URLs of the reports (namespace ``reports``), included under ``rapporter/``."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("<uuid:pk>/", views.report_detail, name="report_detail"),
    path("<uuid:pk>/lagre/", views.report_update, name="report_update"),
    path("<uuid:pk>/ferdigstill/", views.report_finalise, name="report_finalise"),
    path("<uuid:pk>/publiser/", views.report_publish, name="report_publish"),
    path("<uuid:pk>/sendt/", views.report_sent, name="report_sent"),
    path("<uuid:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("iop/<uuid:iop_id>/ny/", views.report_create, name="report_create"),
    path("iop/<uuid:iop_id>/pdf/", views.iop_pdf, name="iop_pdf"),
    path("pdf/<uuid:pk>/", views.pdf_job, name="pdf_job"),
    path("pdf/<uuid:pk>/fil/", views.pdf_job_file, name="pdf_job_file"),
    path("elev/<uuid:pupil_id>/innsyn.pdf", views.pupil_file_pdf, name="pupil_file_pdf"),
    path("elev/<uuid:pupil_id>/innsyn.json", views.pupil_file_json, name="pupil_file_json"),
    path("elev/<uuid:pupil_id>/arkiv.zip", views.pupil_archive_zip, name="pupil_archive_zip"),
    path("skole/", views.batch_list, name="batch_list"),
    path("skole/<uuid:pk>/", views.batch_detail, name="batch_detail"),
    path("skole/<uuid:pk>/fremdrift/", views.batch_progress, name="batch_progress"),
    path("skole/<uuid:pk>/zip/", views.batch_zip, name="batch_zip"),
]
