"""Operators' admin for the curriculum: read-mostly.

The data belongs to Udir and arrives through ``manage.py import_grep``; the
admin is for looking things up. Nothing can be added or deleted here, and the
imported fields are read-only, so an import never fights a hand edit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import CompetenceAim, CompetenceAimSet, CoreElement, Curriculum, SubjectCode


class ReadMostlyAdmin(admin.ModelAdmin):
    list_per_page = 100
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.get_fields() if f.concrete and not f.auto_created] + [
            f.name for f in self.model._meta.many_to_many
        ]


@admin.register(Curriculum)
class CurriculumAdmin(ReadMostlyAdmin):
    list_display = ["code", "title", "short_title", "status", "valid_from", "valid_to", "updated_at"]
    list_filter = ["status"]
    search_fields = ["code", "title", "short_title"]
    ordering = ["code"]


@admin.register(CoreElement)
class CoreElementAdmin(ReadMostlyAdmin):
    list_display = ["code", "title", "curriculum", "status"]
    list_filter = ["status"]
    list_select_related = ["curriculum"]
    search_fields = ["code", "title", "curriculum__code"]
    ordering = ["curriculum__code", "sort_order", "code"]


@admin.register(CompetenceAimSet)
class CompetenceAimSetAdmin(ReadMostlyAdmin):
    list_display = ["code", "title", "curriculum", "year_levels", "status"]
    list_filter = ["status"]
    list_select_related = ["curriculum"]
    search_fields = ["code", "title", "curriculum__code"]
    ordering = ["curriculum__code", "sort_order", "code"]


@admin.register(CompetenceAim)
class CompetenceAimAdmin(ReadMostlyAdmin):
    list_display = ["code", "text", "curriculum", "aim_set", "status", "replaced_by_code"]
    list_filter = ["status"]
    list_select_related = ["curriculum", "aim_set"]
    search_fields = ["=code", "text", "curriculum__code"]
    ordering = ["curriculum__code", "aim_set__sort_order", "sort_order", "code"]


@admin.register(SubjectCode)
class SubjectCodeAdmin(ReadMostlyAdmin):
    list_display = ["code", "title", "short_title", "status", "valid_from", "valid_to"]
    list_filter = ["status"]
    search_fields = ["code", "title", "short_title"]
    ordering = ["code"]
