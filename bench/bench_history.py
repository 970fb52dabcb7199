"""How much history does autosave leave?

Creates a scratch PostgreSQL database with the demo data, then lets the
kontaktlærer autosave one goal of a plan for a simulated ten minutes: a
save every 2 seconds through the same service the autosave POST calls
(``iop.services.goal_update``), the clock pinned and stepped 2 s a save.
Prints the goal's history rows before and after, the entries its history
page shows, and the same run with ``HISTORY_COLLAPSE_MINUTES=0`` (every save
kept) on another goal for comparison. The database is dropped at the end
(``--keep`` keeps it).

    .venv/bin/python bench/bench_history.py
    .venv/bin/python bench/bench_history.py --minutes 30 --every 2
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_bench_history .venv/bin/python bench/bench_history.py
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/iop_bench_history"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
os.environ["IOP_ENV"] = "demo"
os.environ["DEBUG"] = "false"
os.environ["DJANGO_SETTINGS_MODULE"] = "iop.settings"


def admin_sql(statement: str) -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(statement)


def autosave(goal_id: object, *, saves: int, every: float, start: datetime.datetime) -> tuple[int, int, int, float]:
    """SAVES saves of the goal's text, EVERY seconds apart from START, each
    from the version the page got back. Returns (history rows before, after,
    history-page entries of the goal after, milliseconds per save)."""
    import time_machine

    from iop import history, services
    from iop.models import Goal

    goal = Goal.objects.select_related("iop").get(pk=goal_id)
    teacher = goal.iop.created_by
    before = Goal.history.filter(id=goal.pk).count()
    text = goal.text
    began = time.perf_counter()
    for i in range(saves):
        with time_machine.travel(start + datetime.timedelta(seconds=every * i), tick=False):
            current = Goal.objects.get(pk=goal.pk)
            text = f"{goal.text} Skrevet videre, ord {i + 1}."
            services.goal_update(actor=teacher, goal=current, version=current.version, data={"text": text})
    per_save = (time.perf_counter() - began) * 1000 / saves
    after = Goal.history.filter(id=goal.pk).count()
    entries = history.changes([(Goal, Goal.history.filter(id=goal.pk))])
    assert Goal.objects.get(pk=goal.pk).text == text
    return before, after, len(entries), per_save


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="simulated time of autosaving (default 10)")
    parser.add_argument("--every", type=float, default=2.0, help="seconds between saves (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    saves = int(args.minutes * 60 / args.every)

    print(f"Database {name}: demo data …", flush=True)
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{name}"')
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.utils import timezone

        from iop.models import Goal

        call_command("migrate", verbosity=0)
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
        goals = list(
            Goal.objects.filter(iop__status__in=["draft", "published"], iop__created_by__isnull=False)
            .order_by("iop__created_at", "order")
            .values_list("pk", flat=True)[:2]
        )
        start = timezone.now().replace(microsecond=0)
        window = settings.HISTORY_COLLAPSE_MINUTES
        print(f"One goal autosaved every {args.every:g} s for {args.minutes:g} simulated minutes: {saves} saves")
        head = ("HISTORY_COLLAPSE_MINUTES", "rows before", "rows after", "page entries", "ms/save")
        print(f"{head[0]:<26} {head[1]:>11} {head[2]:>10} {head[3]:>12} {head[4]:>8}")
        for minutes, goal_id in ((window, goals[0]), (0, goals[1])):
            settings.HISTORY_COLLAPSE_MINUTES = minutes
            before, after, entries, per_save = autosave(goal_id, saves=saves, every=args.every, start=start)
            print(f"{minutes:<26} {before:>11} {after:>10} {entries:>12} {per_save:>8.1f}", flush=True)
        settings.HISTORY_COLLAPSE_MINUTES = window
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
