"""Operators' page of the yearly set-up: which årshjul each school follows
(:class:`followup.models.AarshjulChoice`). Only operators
(:func:`students.access.is_operator`) see it; anyone else gets 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from students import access
from students.models import School

from . import roster
from .models import Aarshjul, AarshjulChoice

PAGE_SIZE = 50


class AarshjulChoiceForm(forms.Form):
    school = forms.ModelChoiceField(label=gettext_lazy("School"), queryset=School.objects.order_by("name"))
    aarshjul = forms.ModelChoiceField(
        label=gettext_lazy("Årshjul"),
        queryset=Aarshjul.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("The default (the school owner's own, else the built-in one for the school's kind)"),
    )


def choose(*, school: School, aarshjul: Aarshjul | None, actor: Any) -> None:
    """Set (or with None, clear) the årshjul SCHOOL follows; its deadlines are
    regenerated after the commit."""
    with transaction.atomic():
        if aarshjul is None:
            AarshjulChoice.objects.filter(school=school).delete()
        else:
            AarshjulChoice.objects.update_or_create(
                school=school, defaults={"aarshjul": aarshjul, "chosen_by": actor, "chosen_at": timezone.now()}
            )
        transaction.on_commit(lambda: roster._Batch(schools={school.pk}).flush())


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def aarshjul_choices(request: HttpRequest) -> HttpResponse:
    """Every school with the årshjul it follows; a form to choose another."""
    if not access.is_operator(request.user):  # type: ignore[arg-type]
        raise Http404
    form = AarshjulChoiceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        school, wheel = form.cleaned_data["school"], form.cleaned_data["aarshjul"]
        choose(school=school, aarshjul=wheel, actor=request.user)
        messages.success(request, _("%(school)s follows the chosen årshjul.") % {"school": school})
        return redirect("followup:aarshjul_choices")
    page = Paginator(
        School.objects.select_related("skoleeier", "aarshjul_choice__aarshjul").order_by("name"), PAGE_SIZE
    ).get_page(request.GET.get("side"))
    own = dict(
        Aarshjul.objects.filter(skoleeier_id__in={s.skoleeier_id for s in page.object_list}).values_list(
            "skoleeier_id", "name"
        )
    )
    rows = []
    for school in page.object_list:
        choice = getattr(school, "aarshjul_choice", None)
        rows.append(
            {"school": school, "chosen": choice.aarshjul if choice else None, "own": own.get(school.skoleeier_id)}
        )
    status = 400 if form.errors else 200
    return render(request, "followup/aarshjul_choices.html", {"form": form, "page": page, "rows": rows}, status=status)
