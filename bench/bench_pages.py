"""How fast are the busiest pages, as a school's server would serve them?

Creates a scratch PostgreSQL database with the demo data, enlarges one IOP
through the services (3 subjects, 10 goals, 200 goal logs; ``--goals 31
--logs 600`` for the large plan), starts gunicorn with 2 sync workers
(``DEBUG`` off, production settings over plain HTTP), logs in through the
real login form as the plan's kontaktlærer, then loads each page for a fixed
time at a fixed concurrency and prints requests per second, p50/p95 in
milliseconds and the share of the bare authenticated view (``/helse/`` with
the session), with the targets of the performance issue beside them, and
the share of a page of the layout alone (no page can do better). The
database is dropped at the end (``--keep`` keeps it).

    .venv/bin/python bench/bench_pages.py                   # 20 s a page, concurrency 4
    .venv/bin/python bench/bench_pages.py --seconds 5       # a quick look
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_bench_pages .venv/bin/python bench/bench_pages.py

The pages run in the same gunicorn, one after the other; load from other
programs on the machine lowers every figure alike, so the ratios are what to
compare between runs. The load average is printed with them.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/iop_bench_pages"

#: page label -> the target share of the bare view (the performance issue's).
TARGETS = {
    "home page": 0.50,
    "pupil page": 0.50,
    "IOP edit": 0.40,
    "IOP read view": 0.50,
    "deadline dashboard (coordinator)": 0.50,
    "goal autosave POST": 0.50,
}

#: The page of the layout alone (menu, header, footer; one sentence of
#: content): no page with content can be served faster, so its share is the
#: ceiling of every page's share.
LAYOUT = "layout alone (/konto/passord/endret/)"

#: A plan with more goals than this is "large": its edit page's target is lower.
LARGE_PLAN_GOALS = 10
LARGE_EDIT_TARGET = 0.25


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)


def admin_sql(statement: str) -> None:
    import psycopg

    url = database_url()
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(statement)


def db_name() -> str:
    return database_url().rsplit("/", 1)[1]


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "IOP_"))}
    return {**base, "DATABASE_URL": database_url(), **extra}


def manage(*args: str, **extra: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env(IOP_ENV="demo", DEBUG="false", **extra),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


ENLARGE = """
import datetime, sys
from django.db import transaction
from django.utils import timezone
from iop import services
from iop.models import Iop, Goal
goals, logs = int(sys.argv[1]), int(sys.argv[2])
plan = (Iop.objects.filter(status__in=["draft", "published"]).order_by("created_at")
        .select_related("pupil").first())
sections = list(plan.sections.order_by("order", "subject"))
teacher = plan.created_by
with transaction.atomic():
    n = plan.goals.count()
    while n < goals:
        services.goal_create(actor=teacher, iop=plan, section=sections[n % len(sections)],
                             text=f"Eleven arbeider mot mål {n + 1} i faget.")
        n += 1
    plan_goals = list(plan.goals.order_by("order"))
    for goal in plan_goals:
        services.goal_update(actor=teacher, goal=goal, version=Goal.objects.get(pk=goal.pk).version, data={
            "text": goal.text, "competence_aim": goal.competence_aim,
            **{f: f"Kriterium {f} for dette målet, skrevet ut som en hel setning." for f in Goal.CRITERIA_FIELDS}})
    have = sum(g.logs.count() for g in plan_goals)
    start = max(plan.period_start, timezone.localdate() - datetime.timedelta(days=150))
    i = 0
    while have < logs:
        goal = plan_goals[i % len(plan_goals)]
        day = min(timezone.localdate(), start + datetime.timedelta(days=i % 150))
        services.goal_log_create(actor=teacher, goal=goal, data={
            "date": day, "quality": 1 + i % 4, "independence": 1 + (i + 1) % 4,
            "feed_forward": "Øv videre med konkreter, og forklar framgangsmåten høyt.", "note": ""})
        have += 1
        i += 1
goal = plan.goals.order_by("order").first()
print(plan.pk, plan.pupil_id, goal.pk, teacher.email)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Session:
    """A logged-in browser: cookies, and the CSRF token for POSTs."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(
        self, path: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 - http to our own server
            self.base + path, data=body, headers={"Referer": self.base + "/", **(headers or {})}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def login(self, email: str, password: str) -> None:
        _status, page = self.open("/konto/logg-inn/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no login form"
        _status, page = self.open(
            "/konto/logg-inn/", {"csrfmiddlewaretoken": token[1], "username": email, "password": password}
        )
        if "/konto/logg-inn/" in page and 'name="password"' in page:
            sys.exit(f"Could not log in as {email}.")


@dataclass
class Result:
    label: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")


def load(
    session: Session, label: str, path: str, seconds: float, concurrency: int, post: dict[str, str] | None
) -> Result:
    """Request PATH from CONCURRENCY threads for SECONDS; every answer but 200 counts as an error."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    headers = {"HX-Request": "true", "X-CSRFToken": session.csrf()} if post is not None else None
    if path.endswith("/skjema/"):  # a fragment htmx brings into the page
        headers = {"HX-Request": "true"}

    def worker() -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            began = time.perf_counter()
            status, _ = session.open(path, post, headers)
            took = time.perf_counter() - began
            with lock:
                latencies.append(took)
                errors += status != 200

    session.open(path, post, headers)  # warm
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Result(label, len(latencies), time.perf_counter() - began, latencies, errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="time per page (default 20)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--goals", type=int, default=10)
    parser.add_argument("--logs", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    print(f"Database {db_name()}: demo data, one IOP enlarged to {args.goals} goals and {args.logs} logs …", flush=True)
    admin_sql(f'DROP DATABASE IF EXISTS "{db_name()}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{db_name()}"')
    server = None
    try:
        manage("migrate", "-v0")
        manage("seed_demo")
        done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [PYTHON, "-c", "import django; django.setup(); exec(open(0).read())", str(args.goals), str(args.logs)],
            input=ENLARGE,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            env=env(IOP_ENV="demo", DEBUG="false", DJANGO_SETTINGS_MODULE="iop.settings"),
        )
        if done.returncode:
            sys.exit(f"Enlarging the IOP failed:\n{done.stderr}")
        iop_id, pupil_id, goal_id, teacher = done.stdout.split()[-4:]
        port = free_port()
        production = env(
            IOP_ENV="production",
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(60),
            ALLOWED_HOSTS="127.0.0.1",
            SITE_URL=f"http://127.0.0.1:{port}",
            ALLOW_PLAIN_HTTP="true",
            STATIC_ROOT=str(ROOT / "var" / "bench-static"),
            LOG_LEVEL="WARNING",
        )
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=production, check=True)  # noqa: S603
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "iop.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--no-control-socket",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=production,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/helse/", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        teacher_session = Session(base)
        teacher_session.login(teacher, "demo-passord")
        coordinator = Session(base)
        school = re.search(r"\.([a-z]+)@", teacher)
        coordinator.login(f"koordinator.{school[1] if school else 'nordby'}@demo.example", "demo-passord")

        # The edit page shows goals as reading text; a goal's form comes with "Rediger mål".
        _status, form_page = teacher_session.open(f"/mal/{goal_id}/skjema/", headers={"HX-Request": "true"})
        autosave = goal_form_data(form_page, goal_id)
        autosave["csrfmiddlewaretoken"] = teacher_session.csrf()

        pages = [
            ("bare view with session (/helse/)", teacher_session, "/helse/", None),
            (LAYOUT, teacher_session, "/konto/passord/endret/", None),
            ("home page", teacher_session, "/", None),
            ("pupil page", teacher_session, f"/elever/{pupil_id}/", None),
            ("IOP edit", teacher_session, f"/iop/{iop_id}/", None),
            ("IOP read view", teacher_session, f"/iop/{iop_id}/?visning=les", None),
            ("goal form opened (htmx fragment)", teacher_session, f"/mal/{goal_id}/skjema/", None),
            ("deadline dashboard (coordinator)", coordinator, "/oppfolging/", None),
            ("goal autosave POST", teacher_session, f"/mal/{goal_id}/endre/", autosave),
        ]
        results = []
        for label, session, path, post in pages:
            print(f"  {label} …", flush=True)
            results.append(load(session, label, path, args.seconds, args.concurrency, post))
        _, edit_html = teacher_session.open(f"/iop/{iop_id}/")
        bare = results[0].rate
        print()
        print(
            f"gunicorn 2 sync workers, concurrency {args.concurrency}, {args.seconds:g} s a page, "
            f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
        )
        print(f"IOP: {args.goals} goals, {args.logs} logs; edit page {len(edit_html.encode()) // 1024} KB of HTML")
        print(f"{'page':40} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} {'share':>6} {'target':>6}")
        for r in results:
            share = r.rate / bare if bare else float("nan")
            target = TARGETS.get(r.label)
            if r.label == "IOP edit" and args.goals > LARGE_PLAN_GOALS:
                target = LARGE_EDIT_TARGET
            mark = "" if target is None else ("ok" if share >= target else "below")
            print(
                f"{r.label:40} {r.rate:7.1f} {r.percentile(0.5):7.0f} {r.percentile(0.95):7.0f} {r.errors:6d} "
                f"{share:6.0%} {'' if target is None else f'{target:.0%}':>6} {mark}"
            )
        layout = next(r for r in results if r.label == LAYOUT)
        print(
            f"\nThe layout alone serves {layout.rate / bare:.0%} of the bare view: no page with content can do better."
        )
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep:
            admin_sql(f'DROP DATABASE IF EXISTS "{db_name()}" WITH (FORCE)')


def goal_form_data(page: str, goal_id: str) -> dict[str, str]:
    """The fields of goal GOAL_ID's form (in PAGE, the goal's edit form), as the browser would send them."""
    data: dict[str, str] = {}
    prefix = f"{goal_id}-"
    for match in re.finditer(r'<input[^>]*name="(' + re.escape(prefix) + r'[^"]+)"[^>]*>', page):
        value = re.search(r'value="([^"]*)"', match[0])
        data[match[1]] = value[1] if value else ""
    for match in re.finditer(
        r'<textarea[^>]*name="(' + re.escape(prefix) + r'[^"]+)"[^>]*>(.*?)</textarea>', page, re.S
    ):
        data[match[1]] = match[2].strip()
    if not data:
        sys.exit("The goal's form was not found in the goal's edit form fragment.")
    import html

    return {k: html.unescape(v) for k, v in data.items()}


if __name__ == "__main__":
    main()
