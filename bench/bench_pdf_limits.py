"""How long does the largest IOP a web request may render take?

Every free-text field holds at most ``iop.limits.TEXT_MAX_LENGTH`` (20 000)
characters, and a web request renders a PDF only while its HTML stays within
``iop.limits.PDF_WEB_MAX_CHARS``; larger documents are refused with a page that
says so (the report batch renders on a worker, without this cap). This script
fills an IOP's fields to the limit, field by field, until the rendered HTML
reaches the cap, and times ``render_iop`` (queries, template, WeasyPrint) for
growing sizes up to it: the last line is the worst case a request can cost.

    .venv/bin/python bench/bench_pdf_limits.py
    BENCH_PAST_CAP=1 .venv/bin/python bench/bench_pdf_limits.py   # go on past the cap (what it would cost)
    BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/bench_pdf_limits.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["IOP_ENV"] = "test"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iop_bench_limits")
os.environ["DJANGO_SETTINGS_MODULE"] = "iop.settings"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

SENTENCE = "Eleven øver på å lese korte tekster høyt og forteller hva teksten handler om. "


def ensure_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def text(n: int) -> str:
    return (SENTENCE * (n // len(SENTENCE) + 1))[:n]


def main() -> None:
    ensure_database()
    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from iop.limits import PDF_WEB_MAX_CHARS, TEXT_MAX_LENGTH, TooLargeToRender
    from iop.models import Goal
    from iop.reports import services
    from tests import factories as f
    from tests.iop.factories import add_goals, chain

    cap = PDF_WEB_MAX_CHARS
    past_cap = os.environ.get("BENCH_PAST_CAP") == "1"
    print(f"Field limit {TEXT_MAX_LENGTH} characters; web render cap {cap} characters of HTML.")
    with transaction.atomic():
        group = f.GroupFactory()
        pupil = f.pupil_in(group, first_name="Benk", last_name="Merke")
        ch = chain(pupil, subjects=(("Norsk", 76), ("Matematikk", 57), ("Engelsk", 38)))
        iop = ch.iop
        assert iop is not None
        fields: list[tuple[object, str]] = [(iop, "ordinary_teaching"), (iop, "class_plan_coordination")]
        for section in ch.sections:
            fields += [(section, "content"), (section, "working_methods"), (section, "organisation")]
        goals = list(Goal.objects.filter(iop=iop))
        goals += add_goals(iop, ch.sections[0], 12)
        for goal in goals:
            fields += [(goal, "text"), *((goal, name) for name in Goal.CRITERIA_FIELDS)]
        print(f"{'filled fields':>14} {'HTML chars':>11} {'PDF bytes':>10} {'seconds':>8}")
        filled = 0
        step = int(os.environ.get("BENCH_STEP", "2"))
        while filled <= len(fields):
            iop.refresh_from_db()
            started = time.perf_counter()
            try:
                rendered = services.render_iop(iop, pupil, max_chars=None if past_cap else cap)
            except TooLargeToRender as refused:
                print(f"{filled:>14} {refused.size:>11} {'refused':>10} {time.perf_counter() - started:>8.2f}")
                print("The row before 'refused' is the largest IOP a web request renders.")
                break
            seconds = time.perf_counter() - started
            print(f"{filled:>14} {len(rendered.html):>11} {len(rendered.pdf):>10} {seconds:>8.2f}")
            for obj, name in fields[filled : filled + step]:
                setattr(obj, name, text(TEXT_MAX_LENGTH))
                obj.save(update_fields=[name])  # type: ignore[attr-defined]
            filled += step
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
