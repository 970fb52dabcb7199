from __future__ import annotations

import statistics
from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class _Median:
    """SQLite's ``MEDIAN(x)`` aggregate (PostgreSQL has ``percentile_cont``):
    the demo database runs the key figures too."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: Any) -> None:
        if value is not None:
            self.values.append(float(value))

    def finalize(self) -> float | None:
        return statistics.median(self.values) if self.values else None


def _register_median(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("MEDIAN", 1, _Median)


class KpiConfig(AppConfig):
    """Key figures for skoleeier and school (IUP coverage, talks, time through
    the chain), read from the plans (iop) and the follow-up (followup)."""

    name = "followup.kpi"
    label = "kpi"
    verbose_name = _("Key figures")

    def ready(self) -> None:
        connection_created.connect(_register_median, dispatch_uid="kpi-sqlite-median")
