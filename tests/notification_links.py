"""Where a user's notification list leads."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse


def notification_targets(client: Client) -> list[str]:
    """The pages CLIENT's notification list leads to, newest first: each
    notification's link is opened (which marks it read) and its redirect read."""
    listing = reverse("followup:notifications")
    page = client.get(listing).content.decode()
    links = re.findall(rf'href="({re.escape(listing)}[0-9a-f-]{{36}}/)"', page)
    return [client.get(link)["Location"] for link in links]
