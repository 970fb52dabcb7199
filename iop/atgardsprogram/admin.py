"""Read-only admin: operators look, the school writes through the app (services, access log)."""

from typing import Any

from django.contrib import admin

from iop.admin_records import LoggedReads
from iop.models import AccessLogEntry

from .models import (
    Atgardsprogram,
    AtgardsprogramAtgard,
    AtgardsprogramUtvardering,
    ExtraAnpassning,
    ExtraAnpassningUppfoljning,
    Overklagande,
    Utredning,
)


class ReadOnly:
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class UppfoljningInline(ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = ExtraAnpassningUppfoljning
    extra = 0


class AtgardInline(ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = AtgardsprogramAtgard
    extra = 0


class UtvarderingInline(ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = AtgardsprogramUtvardering
    extra = 0


@admin.register(ExtraAnpassning)
class ExtraAnpassningAdmin(LoggedReads, ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    log_kind = AccessLogEntry.Kind.ANPASSNING
    list_display = ["__str__", "pupil", "status", "follow_up_on"]
    list_filter = ["status"]
    raw_id_fields = ["pupil", "created_by"]
    inlines = [UppfoljningInline]


@admin.register(Utredning)
class UtredningAdmin(LoggedReads, ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    log_kind = AccessLogEntry.Kind.UTREDNING
    list_display = ["__str__", "pupil", "needs_support", "concluded_on"]
    raw_id_fields = ["pupil", "started_by"]


@admin.register(Atgardsprogram)
class AtgardsprogramAdmin(LoggedReads, ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    log_kind = AccessLogEntry.Kind.ATGARDSPROGRAM
    list_display = ["__str__", "pupil", "kind", "status", "decided_on"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["pupil", "utredning", "previous", "decided_by", "created_by"]
    inlines = [AtgardInline, UtvarderingInline]


@admin.register(Overklagande)
class OverklagandeAdmin(LoggedReads, ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    log_kind, pupil_path, document_path = AccessLogEntry.Kind.ATGARDSPROGRAM, "programme.pupil", "programme_id"
    list_display = ["__str__", "programme", "forwarded_on", "outcome"]
    list_filter = ["outcome"]
    raw_id_fields = ["programme", "registered_by"]
