from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from . import access
from .models import User
from .urlcache import reverse_one, reverse_plain


def site_name(prof: access.Profile | None) -> str:
    """The product's name in the header and the page titles: "IOP and IUP",
    but a neutral name for a user whose schools (and children) are all
    Swedish, who has no IOP (the Norwegian chain's plan). A user with no
    school and no child (an operator) gets the product's own name. Before
    login the pages in Swedish (a visitor who chose it, or whose last user
    in the browser read Swedish) use the neutral name: Swedish schools
    have no IOP."""
    if prof is not None and prof.active and (prof.is_staff_member or prof.is_guardian) and not prof.meets_chain:
        return _("Pupil support and IUP")
    if (prof is None or not prof.active) and translation.get_language() == "sv":
        return _("Pupil support and IUP")
    return _("IOP and IUP")


#: Entries in the header itself, the "More" button included; the rest go
#: under "More". Six fit on one line at 1366 px in every shipped language.
NAV_TOP_MAX = 6


def _split(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(top, more): ``primary`` items first up to NAV_TOP_MAX (keeping their
    order), the others under the "More" menu. When everything fits, nothing
    is moved: the order stays as given."""
    if len(items) <= NAV_TOP_MAX:
        return items, []
    room = NAV_TOP_MAX - 1  # one place is the "More" button
    chosen = [i for i in items if i.get("primary")][:room]
    chosen += [i for i in items if not i.get("primary")][: room - len(chosen)]
    ids = {id(i) for i in chosen}
    top = [i for i in items if id(i) in ids]  # the settings' order
    more = [i for i in items if id(i) not in ids]
    return top, more


def _any_current(items: list[dict[str, Any]]) -> bool:
    return any(item["current"] for item in items)


def _guardian_items(user: User, current: str, path: str) -> list[dict[str, Any]]:
    """A guardian's menu: their children, notifications, who has read each
    child's plans (one query: the children)."""
    children = list(
        access.pupils_for(user)
        .filter(guardian_links__user=user)
        .order_by("first_name", "pk")
        .only("pk", "first_name", "last_name")
    )
    items: list[dict[str, Any]] = [
        {"url": reverse_plain("home"), "label": _("My children"), "current": current == "home", "primary": True}
    ]
    for child in children:
        url = reverse_one("pupil_detail", child.pk)
        items.append({"url": url, "label": child.first_name, "current": path == url, "primary": True})
    for name, label, audience in getattr(settings, "NAV_ITEMS", []):
        if audience == "guardian":
            items.append({"url": reverse_plain(name), "label": label, "current": current == name, "primary": True})
    for name, label in getattr(settings, "GUARDIAN_CHILD_NAV_ITEMS", []):
        for child in children:
            url = reverse_one(name, child.pk)
            text = f"{label} ({child.first_name})" if len(children) > 1 else str(label)
            items.append({"url": url, "label": text, "current": path == url, "primary": True})
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The header menu: ``nav_items`` (shown in the header) and ``nav_more``
    (under the "More" disclosure), each a list of ``{"url", "label",
    "current"}``; ``nav_more_current`` when the page is one under "More".

    Staff see Home, Pupils and the entries other apps add through
    ``settings.NAV_ITEMS``: ``(url_name, label, audience)`` with audience
    ``staff`` (anyone with a school role), ``coordinator`` (koordinator/rektor),
    ``chain_coordinator`` (koordinator/rektor at a school with the Norwegian chain),
    ``operator`` (:func:`access.is_operator`), ``guardian`` (guardians only) or ``all``; those named in
    ``settings.NAV_PRIMARY`` stay in the header when not all fit. A guardian
    with no school role sees a parent's menu instead: their children, the
    ``guardian`` entries and, per child, ``settings.GUARDIAN_CHILD_NAV_ITEMS``
    (``(url_name, label)`` taking the pupil's id), and ``parent_view`` is
    true (the pages speak to a parent). ``own_settings_url``: the user's own
    settings page (``settings.OWN_SETTINGS_URL_NAME``: language, e-mails),
    for staff and guardians, else "". ``product_name``: the product's name
    (:func:`site_name`; not ``site_name``, which Django's login and password
    pages set to the server's host name). At most one query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "nav_items": [],
            "nav_more": [],
            "nav_more_current": False,
            "parent_view": False,
            "chain_user": False,
            "product_name": site_name(None),
        }
    prof = access.profile(user)
    current = request.resolver_match.view_name if request.resolver_match else ""
    own = getattr(settings, "OWN_SETTINGS_URL_NAME", "")
    own_settings = reverse_plain(own) if own and (prof.is_staff_member or prof.is_guardian) else ""
    if prof.is_guardian and not prof.is_staff_member:
        top, more = _split(_guardian_items(user, current, request.path))
        return {
            "nav_items": top,
            "nav_more": more,
            "nav_more_current": _any_current(more),
            "parent_view": True,
            "own_settings_url": own_settings,
            "chain_user": False,
            "product_name": site_name(prof),
        }
    shown = {
        "all": True,
        "staff": prof.is_staff_member,
        "coordinator": prof.is_coordinator,
        "chain_coordinator": bool(prof.chain_schools(*access.COORDINATOR_ROLES)),
        "operator": access.is_operator(user),
    }
    primary = set(getattr(settings, "NAV_PRIMARY", ()))
    items: list[dict[str, Any]] = [
        {"url": reverse_plain("home"), "label": _("Home"), "current": current == "home", "primary": True},
    ]
    if prof.is_staff_member:
        items.append(
            {
                "url": reverse_plain("pupil_list"),
                "label": _("Pupils"),
                "current": current == "pupil_list",
                "primary": True,
            }
        )
    items += [
        {"url": reverse_plain(name), "label": label, "current": current == name, "primary": name in primary}
        for name, label, audience in getattr(settings, "NAV_ITEMS", [])
        if shown.get(audience, False)
    ]
    top, more = _split(items)
    return {
        "nav_items": top,
        "nav_more": more,
        "nav_more_current": _any_current(more),
        "parent_view": False,
        "own_settings_url": own_settings,
        "chain_user": prof.works_with_chain,
        "product_name": site_name(prof),
    }
