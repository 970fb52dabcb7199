"""Operators' admin for the chain (superusers only; see iop.admin_site)."""

from axes import admin as axes_admin
from axes.models import AccessFailureLog
from axes.models import AccessLog as AxesAccessLog
from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from students.models import Pupil, StaffMembership, User

from .admin_records import FinalOnceMade, LoggedReads
from .models import (
    AccessLogEntry,
    AdvanceNotice,
    AdvanceNoticeComment,
    Appeal,
    CaseConsent,
    Enkeltvedtak,
    EnkeltvedtakSubject,
    Goal,
    GoalLog,
    Iop,
    IopSubject,
    IopVersion,
    Iup,
    IupAssessment,
    IupSettings,
    SakkyndigVurdering,
    SakkyndigVurderingSubject,
    TeachingLog,
)


class ReadOnlyAdmin:
    """For records that are legal evidence (a consent, an advance notice and
    the parties' comments, the appeal register, an interim reply): operators
    read them here; they are written only through the services, which check
    them and tell the follow-up (deadlines). No add, change or delete."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class SvSubjectInline(FinalOnceMade, admin.TabularInline):
    def is_final(self, obj):  # type: ignore[no-untyped-def]
        return obj.status == SakkyndigVurdering.Status.COMPLETED

    model = SakkyndigVurderingSubject
    extra = 0


class VedtakSubjectInline(FinalOnceMade, admin.TabularInline):
    def is_final(self, obj):  # type: ignore[no-untyped-def]
        return obj.is_made

    model = EnkeltvedtakSubject
    extra = 0


class AppealInline(ReadOnlyAdmin, admin.StackedInline):
    model = Appeal
    extra = 0


class IopSubjectInline(admin.StackedInline):
    model = IopSubject
    extra = 0


@admin.register(SakkyndigVurdering)
class SakkyndigVurderingAdmin(LoggedReads, FinalOnceMade, SimpleHistoryAdmin):
    log_kind = AccessLogEntry.Kind.VURDERING

    def is_final(self, obj):  # type: ignore[no-untyped-def]
        return obj.status == SakkyndigVurdering.Status.COMPLETED

    list_display = ["pupil", "status", "assessed_on", "valid_from", "valid_to", "author"]
    list_filter = ["status"]
    raw_id_fields = ["pupil", "author"]
    inlines = [SvSubjectInline]


@admin.register(SakkyndigVurderingSubject)
class SakkyndigVurderingSubjectAdmin(LoggedReads, FinalOnceMade, SimpleHistoryAdmin):
    log_kind, pupil_path, document_path = AccessLogEntry.Kind.VURDERING, "vurdering.pupil", "vurdering_id"

    def is_final(self, obj):  # type: ignore[no-untyped-def]
        return obj.vurdering.status == SakkyndigVurdering.Status.COMPLETED

    list_display = ["vurdering", "subject", "hours"]
    raw_id_fields = ["vurdering"]


@admin.register(Enkeltvedtak)
class EnkeltvedtakAdmin(LoggedReads, FinalOnceMade, SimpleHistoryAdmin):
    log_kind = AccessLogEntry.Kind.VEDTAK

    def is_final(self, obj):  # type: ignore[no-untyped-def]
        return obj.is_made

    list_display = ["pupil", "status", "outcome", "valid_from", "valid_to", "made_on", "notified_on", "made_by"]
    list_filter = ["status", "outcome"]
    raw_id_fields = ["pupil", "vurdering", "made_by", "created_by"]
    inlines = [VedtakSubjectInline, AppealInline]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["vedtak", "received_on", "appellant", "owner_reviewed_on", "sent_on", "final_outcome"]
    list_filter = ["owner_outcome", "final_outcome"]
    raw_id_fields = ["vedtak", "created_by"]
    date_hierarchy = "received_on"


@admin.register(CaseConsent)
class CaseConsentAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["pupil", "kind", "given_by", "name", "date", "method", "withdrawn_on"]
    list_filter = ["kind", "given_by", "method"]
    raw_id_fields = ["pupil", "guardian", "recorded_by"]


class AdvanceNoticeCommentInline(ReadOnlyAdmin, admin.StackedInline):
    model = AdvanceNoticeComment
    extra = 0


@admin.register(AdvanceNotice)
class AdvanceNoticeAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["vedtak", "sent_on", "comment_deadline", "sent_by"]
    raw_id_fields = ["vedtak", "sent_by"]
    inlines = [AdvanceNoticeCommentInline]


@admin.register(AdvanceNoticeComment)
class AdvanceNoticeCommentAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["notice", "party", "name", "received_on", "recorded_by"]
    list_filter = ["party"]
    raw_id_fields = ["notice", "guardian", "recorded_by"]


@admin.register(EnkeltvedtakSubject)
class EnkeltvedtakSubjectAdmin(LoggedReads, FinalOnceMade, SimpleHistoryAdmin):
    log_kind, pupil_path, document_path = AccessLogEntry.Kind.VEDTAK, "vedtak.pupil", "vedtak_id"

    def is_final(self, obj):  # type: ignore[no-untyped-def]
        return obj.vedtak.is_made

    list_display = ["vedtak", "subject", "hours", "organisation", "staff_competence", "grade_exemption"]
    raw_id_fields = ["vedtak"]


@admin.register(Iop)
class IopAdmin(LoggedReads, SimpleHistoryAdmin):
    log_kind = AccessLogEntry.Kind.IOP
    list_display = ["pupil", "school_year", "status", "period_start", "period_end"]
    list_filter = ["status"]
    raw_id_fields = ["pupil", "vedtak", "school_year", "created_by"]
    inlines = [IopSubjectInline]


@admin.register(IopSubject)
class IopSubjectAdmin(LoggedReads, SimpleHistoryAdmin):
    log_kind, pupil_path, document_path = AccessLogEntry.Kind.IOP, "iop.pupil", "iop_id"
    list_display = ["iop", "subject", "hours", "order"]
    raw_id_fields = ["iop"]


@admin.register(Goal)
class GoalAdmin(LoggedReads, SimpleHistoryAdmin):
    log_kind, pupil_path = AccessLogEntry.Kind.GOAL, "plan.pupil"
    list_display = ["text", "iop", "iup", "section", "subject", "order"]
    raw_id_fields = ["iop", "iup", "section"]


@admin.register(GoalLog)
class GoalLogAdmin(LoggedReads, ReadOnlyAdmin, SimpleHistoryAdmin):
    """A log entry is written once, by its author, and guardians read it: never changed here."""

    log_kind, pupil_path, document_path = AccessLogEntry.Kind.GOAL, "goal.plan.pupil", "goal_id"
    list_display = ["goal", "date", "quality", "independence", "author"]
    raw_id_fields = ["goal", "author"]


@admin.register(TeachingLog)
class TeachingLogAdmin(LoggedReads, SimpleHistoryAdmin):
    log_kind, pupil_path, document_path = AccessLogEntry.Kind.IOP, "section.iop.pupil", "section.iop_id"
    list_display = ["section", "period_start", "period_end", "hours", "author"]
    raw_id_fields = ["section", "author"]


@admin.register(IopVersion)
class IopVersionAdmin(LoggedReads, ReadOnlyAdmin, admin.ModelAdmin):
    """A published version is what the guardians were shown: never changed here."""

    log_kind, pupil_path, document_path = AccessLogEntry.Kind.IOP, "iop.pupil", "iop_id"
    list_display = ["iop", "number", "published_at", "published_by"]
    raw_id_fields = ["iop", "published_by"]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    """The access log, read-only: nobody adds, changes or deletes an entry
    (no permission for it, hence no delete action either). Names are read
    beside the entries, which outlive the pupils and users they name."""

    list_display = ["at", "reader", "role_name", "pupil_name", "kind", "purpose"]
    list_filter = ["kind", "purpose"]
    fields = ["at", "reader", "role_name", "pupil_name", "kind", "object_id", "purpose"]
    readonly_fields = ["at", "reader", "role_name", "pupil_name", "kind", "object_id", "purpose"]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        users = User.objects.filter(pk=OuterRef("user_id"))
        pupils = Pupil.objects.filter(pk=OuterRef("pupil_id"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                reader_name=Subquery(users.values("full_name")[:1]),
                reader_email=Subquery(users.values("email")[:1]),
                pupil_first=Subquery(pupils.values("first_name")[:1]),
                pupil_last=Subquery(pupils.values("last_name")[:1]),
            )
        )

    @admin.display(description=_("user"))
    def reader(self, obj: AccessLogEntry) -> str:
        name = getattr(obj, "reader_name", None) or getattr(obj, "reader_email", None)
        return name or (_("deleted user %(id)s") % {"id": obj.user_id} if obj.user_id else "–")

    @admin.display(description=_("role"))
    def role_name(self, obj: AccessLogEntry) -> str:
        """The reader's role in words ("Kontaktlærer", "Foresatt"), as the pupil's log shows it."""
        if obj.role == AccessLogEntry.GUARDIAN:
            return str(_("Guardian"))
        return str(dict(StaffMembership.Role.choices).get(obj.role, obj.role or "–"))

    @admin.display(description=_("pupil"))
    def pupil_name(self, obj: AccessLogEntry) -> str:
        first, last = getattr(obj, "pupil_first", None), getattr(obj, "pupil_last", None)
        return f"{first} {last}" if first is not None else _("deleted pupil %(id)s") % {"id": obj.pupil_id}

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class IupAssessmentInline(admin.TabularInline):
    model = IupAssessment
    extra = 0


@admin.register(Iup)
class IupAdmin(LoggedReads, SimpleHistoryAdmin):
    log_kind = AccessLogEntry.Kind.IUP
    list_display = ["pupil", "kind", "status", "school_year", "talk_date", "published_at"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["pupil", "school_year", "created_by"]
    inlines = [IupAssessmentInline]


@admin.register(IupAssessment)
class IupAssessmentAdmin(LoggedReads, SimpleHistoryAdmin):
    log_kind, pupil_path, document_path = AccessLogEntry.Kind.IUP, "iup.pupil", "iup_id"
    list_display = ["iup", "subject", "level", "self_level"]
    raw_id_fields = ["iup", "updated_by"]


@admin.register(IupSettings)
class IupSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["school", "use_goals", "use_assessments", "use_self_assessment", "use_planning", "use_agreements"]
    raw_id_fields = ["school"]


# The login audit (django-axes): who logged in and who failed, read-only like
# the access log; a lock-out (AccessAttempt) stays deletable, to let a person in.
for _model, _base in ((AxesAccessLog, axes_admin.AccessLogAdmin), (AccessFailureLog, axes_admin.AccessFailureLogAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(_model, type(_base.__name__, (ReadOnlyAdmin, _base), {"__module__": __name__}))
