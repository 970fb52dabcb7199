"""Operators' admin (superusers only; see iop.admin_site)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services, sso, transfer
from .access import GRANT_READ, GRANT_WRITE
from .dates import short
from .forms import PupilMoveForm
from .models import (
    Enrolment,
    ExternalIdentity,
    Group,
    GuardianLink,
    PptGrant,
    Pupil,
    PupilIdentity,
    PupilTransfer,
    PupilUserObjectPermission,
    School,
    SchoolYear,
    Skoleeier,
    StaffMembership,
    TeachingAssignment,
    User,
)


class ExternalIdentityInline(admin.TabularInline):
    model = ExternalIdentity
    extra = 0
    fields = ["issuer", "subject", "last_login"]
    readonly_fields = ["last_login"]


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "issuer", "subject", "last_login"]
    list_filter = ["issuer"]
    search_fields = ["subject", "user__full_name", "user__email"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at", "last_login"]


class NationalIdForm(forms.ModelForm):
    """The national identity number is typed in and kept only as its keyed hash."""

    national_id = forms.CharField(
        label=_("National identity number"),
        required=False,
        max_length=20,
        help_text=_("For sign-in with ID-porten. Leave empty to keep the stored one."),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def clean_national_id(self) -> str:
        number = "".join(self.cleaned_data["national_id"].split()).replace("-", "")
        if number and (not number.isdigit() or len(number) not in (11, 12)):
            raise ValidationError(_("A national identity number has 11 digits (Norway) or 12 (Sweden)."))
        return number

    def save(self, commit: bool = True) -> Any:
        if self.cleaned_data.get("national_id"):
            self.instance.national_id_hash = sso.national_id_hash(self.cleaned_data["national_id"])
        return super().save(commit=commit)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "is_superuser"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "language")}),
        # Access to pupils is decided by the access layer (school roles, guardian links,
        # per-pupil grants), never by Django's groups and permissions: they are not offered.
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    inlines = [ExternalIdentityInline]


@admin.register(Skoleeier)
class SkoleeierAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country"]
    list_filter = ["country", "kind"]
    search_fields = ["name"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "skoleeier", "kind", "language"]
    list_filter = ["kind", "language", "skoleeier"]
    search_fields = ["name"]


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ["school", "name", "start", "end"]
    list_filter = ["school"]


LABEL_RELATIONS = {Group: ["school_year__school"], Pupil: ["school"], User: []}


class GroupLabels:
    """Pickers of groups, pupils and users show their ``admin_label`` ("5A –
    Nordby skole 2026/27", a pupil's birth date and school, a user's e-mail):
    every school has a 5A, and namesakes are common. The autocomplete's answers
    get the same label from ``OperatorAdminSite``."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        related = LABEL_RELATIONS.get(db_field.related_model)
        if related is not None and field is not None:
            if related:
                field.queryset = field.queryset.select_related(*related)
            field.label_from_instance = lambda obj: obj.admin_label
        return field


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "school_year", "year_level", "kind"]
    list_filter = ["school_year__school", "year_level", "kind"]
    list_select_related = ["school_year__school"]
    search_fields = ["name", "school_year__school__name", "school_year__name"]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).select_related("school_year__school")


class EnrolmentInline(GroupLabels, admin.TabularInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ["group"]


class GuardianInline(GroupLabels, admin.TabularInline):
    model = GuardianLink
    form = NationalIdForm
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "relation", "parental_responsibility", "national_id"]


class ArchivedFilter(admin.SimpleListFilter):
    """Pupils by whether they are archived (have left), in words, not "empty / not empty"."""

    title = _("archived")
    parameter_name = "arkivert"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", _("Archived")), ("0", _("Not archived"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() in ("0", "1"):
            return queryset.filter(archived_at__isnull=self.value() == "0")
        return queryset


@admin.register(Pupil)
class PupilAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "school", "birth_date", "archived_at"]
    list_filter = ["school", ArchivedFilter]
    list_select_related = ["school"]
    search_fields = ["last_name", "first_name", "school__name"]
    readonly_fields = ["archived_at", "archived_by"]

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """As the admin's, but when protected records stop the deletion the
        page lists them, not the read-only kinds among them as missing
        permissions (which would hide the list)."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            perms_needed = set()
        return to_delete, model_count, perms_needed, protected

    inlines = [EnrolmentInline, GuardianInline]
    readonly_fields = ["move"]
    actions = ["archive", "restore"]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).select_related("school")

    @admin.display(description=_("Move to another class or school"))
    def move(self, obj: Pupil) -> str:
        if obj.pk is None:
            return "–"
        url = reverse("admin:students_pupil_move", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Move the pupil"))

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/flytt/",
                self.admin_site.admin_view(self.move_view),
                name="students_pupil_move",
            )
        ]
        return own + super().get_urls()  # type: ignore[operator]

    def move_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """An operator registers a pupil's move (:func:`students.transfer.pupil_transfer`)."""
        try:
            pupil = Pupil.objects.select_related("school").get(pk=object_id)
        except (Pupil.DoesNotExist, ValueError, ValidationError):
            raise Http404 from None
        actor: Any = request.user
        form = PupilMoveForm(
            request.POST or None, groups=transfer.target_groups(actor, pupil), initial={"date": timezone.localdate()}
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                moved = transfer.pupil_transfer(
                    actor=actor, pupil=pupil, to_group=data["to_group"], date=data["date"], note=data["note"]
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    gettext("%(pupil)s is moved to %(group)s at %(school)s from %(date)s.")
                    % {
                        "pupil": pupil.full_name,
                        "group": moved.to_group.name,
                        "school": moved.to_school.name,
                        "date": short(moved.date),
                    },
                )
                return redirect("admin:students_pupil_change", pupil.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Move the pupil"),
            "opts": self.model._meta,
            "original": pupil,
            "pupil": pupil,
            "form": form,
        }
        return render(request, "admin/students/pupil/move.html", context)

    @admin.action(description=_("Archive the selected pupils (they have left)"))
    def archive(self, request, queryset):  # type: ignore[no-untyped-def]
        chosen = []
        for pupil in queryset.filter(archived_at__isnull=True):
            reasons = services.archive_obstacles(pupil)
            if reasons:  # e.g. an open appeal: said, and the pupil is left as is
                self.message_user(request, f"{pupil}: {' '.join(reasons)}", messages.ERROR)
            else:
                chosen.append(pupil)
        count = Pupil.objects.filter(pk__in=[p.pk for p in chosen], archived_at__isnull=True).update(
            archived_at=timezone.now(), archived_by=request.user
        )
        for pupil in chosen:  # the follow-up ends their deadlines (students.signals.pupil_archived)
            services.announce_archived(pupil, request.user)
        self.message_user(request, _("Pupils archived: %(count)d.") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Take the selected pupils out of the archive"))
    def restore(self, request, queryset):  # type: ignore[no-untyped-def]
        chosen = list(queryset.filter(archived_at__isnull=False))
        count = Pupil.objects.filter(pk__in=[p.pk for p in chosen]).update(archived_at=None, archived_by=None)
        for pupil in chosen:
            services.announce_restored(pupil, request.user)
        self.message_user(
            request, _("Pupils taken out of the archive: %(count)d.") % {"count": count}, messages.SUCCESS
        )


@admin.register(PupilIdentity)
class PupilIdentityAdmin(admin.ModelAdmin):
    list_display = ["pupil", "masked_number"]
    search_fields = ["pupil__last_name"]
    autocomplete_fields = ["pupil"]

    @admin.display(description=_("national identity number"))
    def masked_number(self, obj: PupilIdentity) -> str:
        return obj.masked


@admin.register(Enrolment)
class EnrolmentAdmin(GroupLabels, admin.ModelAdmin):
    list_display = ["pupil", "group"]
    list_filter = ["group__school_year__school"]
    autocomplete_fields = ["pupil", "group"]


@admin.register(GuardianLink)
class GuardianLinkAdmin(GroupLabels, admin.ModelAdmin):
    """Every guardianship, ended ones too (filter "ended"); search by the
    guardian's name or e-mail address and the pupil's name."""

    form = NationalIdForm
    list_display = ["user", "pupil", "relation", "parental_responsibility", "ended_at"]
    list_filter = [("ended_at", admin.EmptyFieldListFilter), "parental_responsibility", "relation"]
    list_select_related = ["user", "pupil"]
    search_fields = ["user__full_name", "user__email", "pupil__first_name", "pupil__last_name"]
    autocomplete_fields = ["user", "pupil"]
    fields = ["user", "pupil", "relation", "parental_responsibility", "national_id", "national_id_hash", "ended_at"]
    readonly_fields = ["national_id_hash"]

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = GuardianLink.all_objects.select_related("user", "pupil")
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs


# django-allauth's own records (apps in the database, its social accounts,
# e-mail addresses, tokens) are not used: issuers come from the settings and
# identities are ExternalIdentity above.
def _unregister_allauth() -> None:
    # Imported here first (the admin's discovery reaches them after this app).
    import allauth.account.admin
    import allauth.socialaccount.admin  # noqa: F401
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken

    for model in (EmailAddress, SocialAccount, SocialApp, SocialToken):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_allauth()

# Django's permission groups give nothing here (see UserAdmin's fields above).
if admin.site.is_registered(AuthGroup):
    admin.site.unregister(AuthGroup)


@admin.register(StaffMembership)
class StaffMembershipAdmin(GroupLabels, admin.ModelAdmin):
    list_display = ["user", "school", "role", "active"]
    list_filter = ["role", "active", "school"]
    autocomplete_fields = ["user"]
    search_fields = ["user__full_name", "user__email"]


@admin.register(TeachingAssignment)
class TeachingAssignmentAdmin(GroupLabels, admin.ModelAdmin):
    list_display = ["user", "group", "role", "subject"]
    list_filter = ["role", "group__school_year__school"]
    autocomplete_fields = ["user", "group"]


class GrantPermissionField(forms.ModelChoiceField):
    """The two permissions a grant gives, by what they let the user do."""

    def label_from_instance(self, obj: Any) -> str:
        return str(grant_kind(obj.codename))


def grant_kind(codename: str) -> Any:
    """What a pupil grant of the permission CODENAME lets its user do, in words."""
    return _("may read and write") if codename == GRANT_WRITE else _("may read")


class PupilGrantForm(forms.ModelForm):
    """A grant's fields under names an operator reads (django-guardian's own
    fields have no translated names)."""

    permission = GrantPermissionField(label=capfirst(_("access")), queryset=None)

    class Meta:
        model = PupilUserObjectPermission
        fields = ["user", "content_object", "permission", "expires_at", "granted_by", "reason"]
        labels = {"user": capfirst(_("user")), "content_object": capfirst(_("pupil"))}
        error_messages = {
            NON_FIELD_ERRORS: {
                "unique_together": _("This user already has this access to the pupil. Change that grant instead."),
            }
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["permission"].queryset = Permission.objects.filter(  # type: ignore[attr-defined]
            content_type__app_label="students", codename__in=[GRANT_READ, GRANT_WRITE]
        ).order_by("codename")

    def clean_expires_at(self) -> Any:
        """A new or changed expiry lies ahead: a grant that ended before it was given gives nothing."""
        expires = self.cleaned_data.get("expires_at")
        if expires is not None and "expires_at" in self.changed_data and expires <= timezone.now():
            raise ValidationError(_("The access must end after now. Leave the field empty for access without an end."))
        return expires


@admin.register(PupilUserObjectPermission)
class PupilGrantAdmin(admin.ModelAdmin):
    form = PupilGrantForm
    list_display = ["grant_user", "grant_pupil", "grant_access", "expires_at"]
    list_select_related = ["user", "content_object", "permission"]
    autocomplete_fields = ["user", "content_object", "granted_by"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A new grant is given by the operator who adds it, unless they name another."""
        return {"granted_by": request.user.pk, **super().get_changeform_initial_data(request)}

    @admin.display(description=_("user"), ordering="user__full_name")
    def grant_user(self, obj: PupilUserObjectPermission) -> str:
        return str(obj.user)

    @admin.display(description=_("pupil"), ordering="content_object__last_name")
    def grant_pupil(self, obj: PupilUserObjectPermission) -> str:
        return str(obj.content_object)

    @admin.display(description=_("access"), ordering="permission__codename")
    def grant_access(self, obj: PupilUserObjectPermission) -> str:
        return str(grant_kind(obj.permission.codename))


@admin.register(PptGrant)
class PptGrantAdmin(admin.ModelAdmin):
    list_display = ["pupil", "school", "granted_at", "revoked_at"]
    autocomplete_fields = ["pupil"]


@admin.register(PupilTransfer)
class PupilTransferAdmin(admin.ModelAdmin):
    """The record of pupils' moves: read-only (a move is made with "Move the pupil")."""

    list_display = ["pupil", "from_school", "to_school", "to_group", "date", "made_by"]
    list_filter = ["from_school", "to_school"]
    list_select_related = ["pupil", "from_school", "to_school", "to_group", "made_by"]
    search_fields = ["pupil__last_name", "pupil__first_name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
