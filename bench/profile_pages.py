"""Where does the time of the busiest pages go? The pages of bench/bench_pages.py, in this process.

Uses the database that ``bench/bench_pages.py --keep`` left behind
(``BENCH_DATABASE_URL``, default ``iop_bench_pages``), production settings
with ``DEBUG`` off, and Django's test client with a session of the plan's
kontaktlærer (the coordinator for the dashboard). Each page is requested
``--repeat`` times after a warm-up; prints the median and p95 in
milliseconds, the CPU time of one request (this process, and the
PostgreSQL server process of its connection when the server runs on this
machine) and the SQL queries of one request. ``--profile LABEL`` prints the
top entries of cProfile (CPU time) for the pages whose label contains LABEL
instead; ``--callers NAME`` who calls the functions matching NAME; ``--sql LABEL``
the SQL statements of one request.

    .venv/bin/python bench/bench_pages.py --seconds 1 --keep     # once: the data
    .venv/bin/python bench/profile_pages.py --repeat 50
    .venv/bin/python bench/profile_pages.py --profile "IOP edit" --top 40 --sort tottime

Other programs on the machine slow every page alike, and a busy machine
stretches the milliseconds of the clock far more than the CPU time: compare
the CPU columns between runs.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import secrets
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.update(
    {
        "IOP_ENV": "production",
        "DEBUG": "false",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iop_bench_pages"),
        "DJANGO_SETTINGS_MODULE": "iop.settings",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "testserver",
        "SITE_URL": "http://testserver",
        "ALLOW_PLAIN_HTTP": "true",
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        "LOG_LEVEL": "WARNING",
    }
)

import django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", help="profile the pages whose label contains this text")
    parser.add_argument("--top", type=int, default=35, help="entries of the profile to print")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime)")
    parser.add_argument("--callers", help="print the callers of functions matching this instead")
    parser.add_argument("--ours", action="store_true", help="list only the project's own functions")
    parser.add_argument("--sql", help="print the SQL statements of one request of the pages whose label contains this")
    args = parser.parse_args()
    django.setup()
    from iop.memory import settle

    settle()  # as iop/wsgi.py does in a server's worker
    warnings.filterwarnings("ignore", message="No directory at")
    logging.getLogger("iop").setLevel(logging.WARNING)

    from bench_pages import goal_form_data
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from iop.models import Iop
    from students.models import User

    plan = (  # the plan bench_pages.py enlarged: the one with the most goals
        Iop.objects.filter(status__in=["draft", "published"])
        .annotate(n=Count("goals"))
        .order_by("-n", "created_at")
        .select_related("pupil")
        .first()
    )
    if plan is None:
        sys.exit("No plan: run bench/bench_pages.py --keep first (same BENCH_DATABASE_URL).")
    goal = plan.goals.order_by("order").first()
    teacher = plan.created_by
    school = teacher.email.split("@")[0].rsplit(".", 1)[-1]
    coordinator = User.objects.get(email=f"koordinator.{school}@demo.example")
    backend = "django.contrib.auth.backends.ModelBackend"
    teacher_client, coordinator_client = Client(), Client()
    teacher_client.force_login(teacher, backend=backend)
    coordinator_client.force_login(coordinator, backend=backend)
    htmx = {"HTTP_HX_REQUEST": "true"}
    form = teacher_client.get(f"/mal/{goal.pk}/skjema/", **htmx).content.decode()
    autosave = goal_form_data(form, str(goal.pk))
    autosave["csrfmiddlewaretoken"] = "x"  # the test client does not check CSRF

    pages = [
        ("bare view with session (/helse/)", teacher_client, "/helse/", None, {}),
        ("layout alone (/konto/passord/endret/)", teacher_client, "/konto/passord/endret/", None, {}),
        ("home page", teacher_client, "/", None, {}),
        ("pupil page", teacher_client, f"/elever/{plan.pupil_id}/", None, {}),
        ("IOP edit", teacher_client, f"/iop/{plan.pk}/", None, {}),
        ("IOP read view", teacher_client, f"/iop/{plan.pk}/?visning=les", None, {}),
        ("goal form opened (htmx fragment)", teacher_client, f"/mal/{goal.pk}/skjema/", None, htmx),
        ("deadline dashboard (coordinator)", coordinator_client, "/oppfolging/", None, {}),
        ("goal autosave POST", teacher_client, f"/mal/{goal.pk}/endre/", autosave, htmx),
    ]

    def request(client: Client, path: str, post: dict[str, str] | None, headers: dict[str, str]) -> None:
        response = client.post(path, post, **headers) if post is not None else client.get(path, **headers)
        assert response.status_code == 200, (path, response.status_code)

    if args.sql:
        for label, client, path, post, headers in pages:
            if args.sql.lower() not in label.lower():
                continue
            request(client, path, post, headers)
            statements: list[str] = []
            with connection.execute_wrapper(counter(statements)):
                request(client, path, post, headers)
            print(f"== {label}: {len(statements)} statements")
            for number, sql in enumerate(statements, 1):
                print(f"{number:3d}. {sql[:300]}")
        return

    if args.profile:
        for label, client, path, post, headers in pages:
            if args.profile.lower() not in label.lower():
                continue
            for _ in range(3):
                request(client, path, post, headers)
            profiler = cProfile.Profile(time.process_time)  # CPU time: other programs do not count
            profiler.enable()
            for _ in range(args.repeat):
                request(client, path, post, headers)
            profiler.disable()
            print(f"== {label}: {args.repeat} requests")
            stats = pstats.Stats(profiler).sort_stats(args.sort)
            if args.callers:
                stats.print_callers(args.callers)
            else:
                ours = ["^(?!.*(site-packages|/lib/python3))"] if args.ours else []
                stats.print_stats(*ours, args.top)
        return

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.repeat} requests a page")
    print("cpu ms: CPU time of one request in this process + in its PostgreSQL server process (mean)")
    print(f"{'page':40} {'p50 ms':>7} {'p95 ms':>7} {'cpu ms':>7} {'py ms':>7} {'pg ms':>7} {'queries':>7}")
    for label, client, path, post, headers in pages:
        for _ in range(3):
            request(client, path, post, headers)
        queries: list[str] = []
        with connection.execute_wrapper(counter(queries)):
            request(client, path, post, headers)
        times = []
        server = server_pid()
        py_began, pg_began = time.process_time(), server_cpu(server)
        for _ in range(args.repeat):
            started = time.perf_counter()
            request(client, path, post, headers)
            times.append((time.perf_counter() - started) * 1000)
        py = (time.process_time() - py_began) * 1000 / args.repeat
        pg = (server_cpu(server) - pg_began) * 1000 / args.repeat if server_pid() == server else float("nan")
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        figures = f"{statistics.median(times):7.1f} {p95:7.1f} {py + pg:7.1f} {py:7.1f} {pg:7.1f} {len(queries):7d}"
        print(f"{label:40} {figures}", flush=True)


def counter(queries: list[str]):  # type: ignore[no-untyped-def]
    """An execute wrapper that adds each statement to QUERIES."""

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    return count


def server_pid() -> int:
    """The process id of this connection's PostgreSQL server process."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def server_cpu(pid: int) -> float:
    """CPU seconds the PostgreSQL server process PID has used (NaN when the server is not on this machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
