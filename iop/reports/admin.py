from django.contrib import admin

from iop.admin_records import FinalOnceMade, LoggedReads
from iop.models import AccessLogEntry

from .models import Report, ReportBatch, ReportBatchItem, ReportGoal, ReportSubject


class ReportGoalInline(FinalOnceMade, admin.TabularInline):
    def is_final(self, obj):  # type: ignore[no-untyped-def]
        return obj.status != Report.Status.DRAFT

    model = ReportGoal
    extra = 0
    raw_id_fields = ["goal"]


class ReportSubjectInline(FinalOnceMade, admin.TabularInline):
    def is_final(self, obj):  # type: ignore[no-untyped-def]
        return obj.status != Report.Status.DRAFT

    model = ReportSubject
    extra = 0
    raw_id_fields = ["section"]


@admin.register(Report)
class ReportAdmin(LoggedReads, FinalOnceMade, admin.ModelAdmin):
    log_kind = AccessLogEntry.Kind.REPORT

    def is_final(self, obj):  # type: ignore[no-untyped-def]
        return obj.status != Report.Status.DRAFT

    list_display = ["__str__", "kind", "status", "finalised_at", "published_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["pupil", "iop", "created_by", "finalised_by", "published_by"]
    readonly_fields = [
        "pdf",
        "pdf_sha256",
        "pdf_size",
        "finalised_at",
        "published_at",
        "sent_to_guardians_on",
        "sent_to_school_owner_on",
        "version",
        "language",
    ]
    inlines = [ReportGoalInline, ReportSubjectInline]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # A finalised report is immutable, for operators as well.
        if obj is not None and not obj.is_draft:
            return False
        return super().has_change_permission(request, obj)


@admin.register(ReportGoal)
class ReportGoalAdmin(admin.ModelAdmin):
    list_display = ["__str__", "report"]
    raw_id_fields = ["report", "goal"]


@admin.register(ReportSubject)
class ReportSubjectAdmin(admin.ModelAdmin):
    list_display = ["__str__", "report"]
    raw_id_fields = ["report", "section"]


class ReportBatchItemInline(admin.TabularInline):
    model = ReportBatchItem
    extra = 0
    raw_id_fields = ["pupil", "iop", "report"]


@admin.register(ReportBatch)
class ReportBatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "job", "status", "created_at", "finished_at"]
    list_filter = ["job", "status"]
    raw_id_fields = ["school", "school_year", "created_by"]
    readonly_fields = ["archive", "archive_sha256"]
    inlines = [ReportBatchItemInline]


@admin.register(ReportBatchItem)
class ReportBatchItemAdmin(admin.ModelAdmin):
    list_display = ["__str__", "batch", "status", "attempts", "updated_at"]
    list_filter = ["status"]
    raw_id_fields = ["batch", "pupil", "iop", "report"]
