"""Operators' admin for the follow-up records (superusers only). The records
of a pupil's case (concerns, kartlegging, plans and tiltak, referrals and
their consents, talks, meetings) are read here, with every read logged, and
written only in the app, where the services check them, keep their history
and tell the follow-up: no add, change or delete (:class:`iop.admin.ReadOnlyAdmin`)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from iop.admin import ReadOnlyAdmin
from iop.admin_records import LoggedReads
from iop.models import AccessLogEntry

from .models import (
    Aarshjul,
    Concern,
    Consent,
    Deadline,
    Duty,
    InterimReply,
    Kartlegging,
    Meeting,
    MeetingPupil,
    Notification,
    Oppfolgingsplan,
    Preference,
    Referral,
    Talk,
    Tiltak,
    TiltakEvaluation,
)


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin, LoggedReads, admin.ModelAdmin):
    log_kind = AccessLogEntry.Kind.CONCERN
    list_display = ["pupil", "filed_at", "status", "filed_by"]
    list_filter = ["status"]
    raw_id_fields = ["pupil", "filed_by", "received_by"]
    date_hierarchy = "filed_at"


@admin.register(Kartlegging)
class KartleggingAdmin(ReadOnlyAdmin, LoggedReads, admin.ModelAdmin):
    log_kind = AccessLogEntry.Kind.PUPIL
    list_display = ["pupil", "kind", "date", "conducted_by"]
    list_filter = ["kind"]
    raw_id_fields = ["pupil", "concern", "created_by"]


class TiltakInline(ReadOnlyAdmin, admin.TabularInline):
    model = Tiltak
    extra = 0
    fields = ["description", "start", "end", "evaluation_date", "status"]
    show_change_link = True


@admin.register(Oppfolgingsplan)
class OppfolgingsplanAdmin(ReadOnlyAdmin, LoggedReads, admin.ModelAdmin):
    log_kind = AccessLogEntry.Kind.PLAN
    list_display = ["pupil", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["pupil", "created_by"]
    inlines = [TiltakInline]


class EvaluationInline(ReadOnlyAdmin, admin.TabularInline):
    model = TiltakEvaluation
    extra = 0
    raw_id_fields = ["evaluated_by", "pupil"]


@admin.register(Tiltak)
class TiltakAdmin(ReadOnlyAdmin, LoggedReads, admin.ModelAdmin):
    log_kind = AccessLogEntry.Kind.TILTAK
    list_display = ["description", "pupil", "start", "end", "evaluation_date", "status"]
    list_filter = ["status", "organisation", "collaboration"]
    raw_id_fields = ["plan", "pupil", "responsible", "meeting", "created_by"]
    inlines = [EvaluationInline]


@admin.register(TiltakEvaluation)
class TiltakEvaluationAdmin(ReadOnlyAdmin, LoggedReads, admin.ModelAdmin):
    log_kind, document_path = AccessLogEntry.Kind.TILTAK, "tiltak_id"
    list_display = ["tiltak", "date", "outcome"]
    list_filter = ["outcome"]
    raw_id_fields = ["tiltak", "pupil", "evaluated_by"]


class ConsentInline(ReadOnlyAdmin, admin.TabularInline):
    model = Consent
    extra = 0
    raw_id_fields = ["pupil", "guardian", "recorded_by"]


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin, LoggedReads, SimpleHistoryAdmin):
    log_kind = AccessLogEntry.Kind.REFERRAL
    list_display = ["pupil", "status", "created_at", "sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["pupil", "created_by", "sent_by"]
    inlines = [ConsentInline]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["referral", "name", "given_by", "date", "method", "withdrawn_at"]
    raw_id_fields = ["referral", "pupil", "guardian", "recorded_by"]


@admin.register(Talk)
class TalkAdmin(ReadOnlyAdmin, LoggedReads, admin.ModelAdmin):
    log_kind = AccessLogEntry.Kind.TALK
    list_display = ["pupil", "kind", "status", "date"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["pupil", "school_year", "staff", "created_by"]


class MeetingPupilInline(ReadOnlyAdmin, admin.TabularInline):
    model = MeetingPupil
    extra = 0
    raw_id_fields = ["pupil"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["group", "kind", "date"]
    list_filter = ["kind"]
    raw_id_fields = ["group", "participants", "created_by"]
    inlines = [MeetingPupilInline]


@admin.register(MeetingPupil)
class MeetingPupilAdmin(ReadOnlyAdmin, LoggedReads, admin.ModelAdmin):
    log_kind, document_path = AccessLogEntry.Kind.MEETING, "meeting_id"
    list_display = ["meeting", "pupil"]
    raw_id_fields = ["meeting", "pupil"]


class DutyInline(admin.TabularInline):
    model = Duty
    extra = 0
    fields = [
        "order",
        "key",
        "title",
        "responsible_role",
        "applies_to",
        "anchor",
        "month",
        "day",
        "offset_days",
        "active",
    ]
    show_change_link = True


@admin.register(Aarshjul)
class AarshjulAdmin(admin.ModelAdmin):
    list_display = ["name", "builtin_key", "skoleeier"]
    inlines = [DutyInline]


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "aarshjul", "school", "responsible_role", "applies_to", "anchor", "active"]
    list_filter = ["aarshjul", "anchor", "applies_to", "responsible_role", "active"]
    search_fields = ["title", "key"]
    raw_id_fields = ["school"]


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = ["title", "due", "state", "school", "responsible"]
    list_filter = ["state", "school"]
    search_fields = ["title", "key"]
    raw_id_fields = ["school", "school_year", "duty", "pupil", "group", "responsible", "done_by"]
    date_hierarchy = "due"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "state", "send_after", "sent_at", "attempts"]
    list_filter = ["state", "kind", "digest"]
    raw_id_fields = ["recipient", "deadline", "concern", "referral"]
    readonly_fields = ["key"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "daily_digest", "plan_emails"]
    raw_id_fields = ["user"]
    exclude = ["ical_token"]


@admin.register(InterimReply)
class InterimReplyAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only: the reply sent to the parties is part of the case (forvaltningsloven § 11 a)."""

    list_display = ["pupil", "sent_on", "expected_by", "referral", "vurdering", "recorded_by"]
    raw_id_fields = ["pupil", "referral", "vurdering", "recorded_by"]
    date_hierarchy = "sent_on"
