from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from . import access


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Menu entries other apps add through ``settings.NAV_ITEMS``:
    ``(url_name, label, audience)`` with audience ``staff`` (anyone with a
    school role), ``coordinator`` (koordinator/rektor), ``operator``
    (:func:`access.is_operator`) or ``all``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    prof = access.profile(user)
    shown = {
        "all": True,
        "staff": prof.is_staff_member,
        "coordinator": prof.is_coordinator,
        "operator": access.is_operator(user),
    }
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = [
        {"url": reverse(name), "label": label, "current": current == name}
        for name, label, audience in getattr(settings, "NAV_ITEMS", [])
        if shown.get(audience, False)
    ]
    return {"nav_items": items}
