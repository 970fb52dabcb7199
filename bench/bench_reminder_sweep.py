"""How long the reminder sweep takes at 200,000 and at 2,000,000 deadlines.

    .venv/bin/python bench/bench_reminder_sweep.py [--sizes 200000,2000000] [--due 2000] [--pupils 100000]

Generates the data with ``bench/generate_followup_data.py`` (its own scratch
database, ``BENCH_DATABASE_URL``), then for each size times, with the same
number of reminders due:

* finding and claiming the due deadlines (the partial index
  ``deadline_reminder_due_idx`` holds only open deadlines with a reminder set),
* the whole first step (due deadlines → notification rows),
* the second step (claiming the pending notifications; sending is not timed),
* an idle sweep (nothing due).

The sweep's cost follows the number of *due* reminders, not the number of
deadlines; the printed figures and plans show it. Figures only, no pass/fail.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import generate_followup_data as gen  # noqa: E402

DUE_QUERY = """
SELECT id FROM followup_deadline
WHERE state = 'open' AND next_reminder_at IS NOT NULL AND next_reminder_at <= now()
ORDER BY next_reminder_at LIMIT 500 FOR UPDATE SKIP LOCKED
"""


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    print(f"  {label:<48} {elapsed * 1000:9.1f} ms", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200000,2000000")
    parser.add_argument("--due", type=int, default=2_000)
    parser.add_argument("--pupils", type=int, default=100_000)
    args = parser.parse_args()
    gen.setup_django()

    from django.db import connection, transaction

    from followup import reminders
    from followup.models import Deadline, Notification

    print(f"load average: {os.getloadavg()[0]:.2f}")
    gen.ensure_pupils(args.pupils)
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"\n{size:,} deadlines, {args.due:,} with a reminder due")
        gen.generate_deadlines(size, args.due)
        with connection.cursor() as cur:
            cur.execute("SELECT pg_size_pretty(pg_relation_size('deadline_reminder_due_idx'))")
            print(f"  partial index size: {cur.fetchone()[0]}")
            with transaction.atomic():
                cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + DUE_QUERY)
                plan = [row[0] for row in cur.fetchall()]
        print("  plan of one claim batch:")
        for line in plan:
            print("    " + line)

        def claim_only() -> int:
            with transaction.atomic():
                return len(
                    Deadline.objects.select_for_update(skip_locked=True)
                    .filter(state="open", next_reminder_at__isnull=False, next_reminder_at__lte=time_now())
                    .order_by("next_reminder_at")
                    .values_list("pk", flat=True)[:500]
                )

        timed("find + lock one batch of 500 due deadlines", claim_only)
        r1 = timed("step 1: due deadlines → notifications", reminders.sweep_deadlines)
        print(f"    {r1.deadlines:,} deadlines, {r1.created:,} notifications")
        r2 = timed(
            "step 2: claim pending notifications", lambda: reminders.sweep_notifications(enqueue=lambda ids: None)
        )
        print(f"    {r2.claimed:,} claimed")
        timed("idle sweep (nothing due)", reminders.sweep)
        print(f"  notifications in table: {Notification.objects.count():,}")


def time_now():  # type: ignore[no-untyped-def]
    from django.utils import timezone

    return timezone.now()


if __name__ == "__main__":
    main()
