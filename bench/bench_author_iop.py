"""How many UI actions does it take to write the reference IOP?

The reference IOP (the authoring-speed issue): 3 subjects, 6 goals (two per
subject) with all eight criteria each, competence aims on two goals and one
goal taken from the læringsbank. The script builds a scratch SQLite database
with the demo data (``migrate`` + ``seed_demo``), gives the demo pupil who has
a made decision but no IOP a third subject in the decision, starts the demo
server, and drives Chromium (Playwright, ``/usr/bin/chromium``) as the
pupil's kontaktlærer from the decision's page: "Opprett IOP", then the goals.

Two ways of working are measured:

* ``practised`` (default): a teacher who knows the page — keyboard shortcuts
  (Alt+N new goal in the subject, Alt+K criteria from the school's template,
  Alt+2/Alt+3 to the next subject), the aim picker as it opens (the pupil's
  level and the subject already chosen), one læringsbank suggestion copied.
* ``plain``: the same plan with the mouse only and every criterion typed
  (clicking "Legg til mål i …", typing eight criteria, no template).

Counted as one action each: a click, a key combination, typing into one
field (its characters are counted apart), accepting a confirmation. Logging
in is not counted. The figures are printed; the target is at most 60 actions.

    .venv/bin/python bench/bench_author_iop.py               # practised
    .venv/bin/python bench/bench_author_iop.py --mode plain
    .venv/bin/python bench/bench_author_iop.py --keep        # keep the scratch directory

No timed assertions: the wall time is printed for information only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TARGET_ACTIONS = 60
DEMO_PASSWORD = "demo-passord"  # noqa: S105 - students.demo.DEMO_PASSWORD, the printed demo login

#: What the teacher writes: (subject, [goal texts]); the Norsk goal marked
#: None is taken from the læringsbank instead.
PLAN: list[tuple[str, list[str | None]]] = [
    (
        "Matematikk",
        [
            "Eleven legger sammen tall opp til 20 med konkreter.",
            "Eleven leser av hel og halv time på en analog klokke.",
        ],
    ),
    ("Norsk", ["Eleven leser korte tekster høyt med flyt.", None]),
    (
        "Engelsk",
        [
            "Eleven presenterer seg selv med tre enkle setninger.",
            "Eleven forstår og følger enkle beskjeder på engelsk.",
        ],
    ),
]
#: The goals (subject index, goal index) that get a competence aim.
AIMED = {(0, 0), (2, 0)}
CRITERION = "Eleven viser det på nivå {n}."

SETUP = """
from iop.models import Enkeltvedtak, EnkeltvedtakSubject, SakkyndigVurderingSubject
from students.models import TeachingAssignment
vedtak = Enkeltvedtak.objects.filter(status=Enkeltvedtak.Status.MADE, iops__isnull=True).order_by("made_on").first()
if not vedtak.subjects.filter(subject="Engelsk").exists():
    EnkeltvedtakSubject.objects.create(vedtak=vedtak, subject="Engelsk", hours=38)
    SakkyndigVurderingSubject.objects.get_or_create(
        vurdering=vedtak.vurdering, subject="Engelsk", defaults={"hours": 38}
    )
teacher = TeachingAssignment.objects.filter(
    group__enrolments__pupil=vedtak.pupil, role=TeachingAssignment.Role.KONTAKTLAERER
).select_related("user").first().user
print("REF", vedtak.pk, teacher.email)
"""


@dataclass
class Tally:
    actions: int = 0
    characters: int = 0
    log: list[str] = field(default_factory=list)

    def act(self, what: str, typed: str = "") -> None:
        self.actions += 1
        self.characters += len(typed)
        self.log.append(what)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own command line
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def wait_for(url: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"the demo server did not answer at {url}")


def settle(page: Any) -> None:
    """Wait until htmx has no request in flight (and the swap is done)."""
    page.wait_for_timeout(150)
    page.wait_for_function("() => !document.querySelector('.htmx-request')", timeout=15_000)
    page.wait_for_timeout(100)


def section(page: Any, subject: str) -> Any:
    return page.locator("section.iop-section").filter(has=page.get_by_role("heading", name=subject, exact=True))


def author(page: Any, base: str, vedtak: str, mode: str, tally: Tally) -> None:
    page.goto(f"{base}/vedtak/{vedtak}/")
    page.get_by_role("button", name="Opprett IOP").click()
    tally.act("Opprett IOP")
    page.wait_for_load_state("load")
    page.on("dialog", lambda dialog: dialog.accept())
    for index, (subject, goals) in enumerate(PLAN):
        where = section(page, subject)
        if mode == "practised" and index > 0:
            page.keyboard.press(f"Alt+{index + 1}")
            tally.act(f"Alt+{index + 1} ({subject})")
        for number, text in enumerate(goals):
            if mode == "practised":
                page.keyboard.press("Alt+N")
                tally.act("Alt+N")
            else:
                where.locator("[data-add-goal]").click()
                tally.act(f"Legg til mål i {subject}")
            settle(page)
            goal = where.locator("li.iop-goal").last
            goal.locator("form[data-draft] textarea").first.wait_for()
            if text is None:  # taken from the læringsbank
                goal.get_by_role("link", name="Forslag fra læringsbanken").click()
                tally.act("Forslag fra læringsbanken")
                settle(page)
                goal.get_by_role("button", name="Kopier inn i målet").first.click()
                tally.act("Kopier inn i målet")
                tally.act("OK (bekreft)")
                settle(page)
                continue
            page.keyboard.type(text)
            tally.act("skriv målet", text)
            if mode == "practised":
                page.keyboard.press("Alt+K")
                tally.act("Alt+K (kriterier fra malen)")
                settle(page)
            else:
                for n, criterion in enumerate(goal.locator(".iop-criteria-grid textarea").all(), start=1):
                    criterion.click()
                    tally.act("klikk i kriteriet")
                    written = CRITERION.format(n=n)
                    page.keyboard.type(written)
                    tally.act("skriv kriteriet", written)
                settle(page)
            if (index, number) in AIMED:
                goal.locator("summary", has_text="Finn kompetansemål").click()
                tally.act("Finn kompetansemål")
                settle(page)
                goal.locator(".iop-aim-results").get_by_role("button", name="Legg til").first.click()
                tally.act("Legg til (kompetansemål)")
                settle(page)
    page.wait_for_timeout(2500)  # the last autosave (input delay 2 s)
    settle(page)


def check(env: dict[str, str], vedtak: str) -> str:
    """The plan as stored: goals written, criteria filled, aims, one from the bank."""
    script = f"""
from iop.models import Goal, Iop, BankEntry
iop = Iop.objects.get(vedtak_id="{vedtak}")
goals = list(Goal.objects.filter(iop=iop).prefetch_related("competence_aims"))
written = sum(1 for g in goals if g.text.strip())
criteria = sum(1 for g in goals for n in Goal.CRITERIA_FIELDS if getattr(g, n).strip())
aims = sum(g.competence_aims.count() for g in goals)
bank = sum(1 for g in goals if BankEntry.objects.filter(text=g.text).exists())
print(f"sections={{iop.sections.count()}} goals={{len(goals)}} written={{written}}",
      f"criteria={{criteria}}/{{8 * len(goals)}} aims={{aims}} from_bank={{bank}}")
"""
    return manage(env, "shell", "--no-imports", "-c", script).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=("practised", "plain"), default="practised")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--verbose", action="store_true", help="list every action")
    options = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="bench-author-"))
    env = {
        **os.environ,
        "IOP_ENV": "demo",
        "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "iop.settings",
    }
    env.pop("TEST_REDIS_URL", None)
    server = None
    try:
        print("Scratch database: migrate and seed the demo …", flush=True)
        manage(env, "migrate", "-v0")
        manage(env, "seed_demo")
        out = manage(env, "shell", "--no-imports", "-c", SETUP)
        ref = [line for line in out.splitlines() if line.startswith("REF ")]
        if not ref:
            sys.exit("no demo decision without an IOP")
        _, vedtak, email = ref[0].split()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - our own command line
            [PYTHON, "manage.py", "runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(f"{base}/helse/")

        from playwright.sync_api import sync_playwright

        tally = Tally()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
            context = browser.new_context(locale="nb-NO", viewport={"width": 1366, "height": 900})
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.goto(f"{base}/konto/logg-inn/")
            page.get_by_label("E-postadresse").fill(email)
            page.get_by_label("Passord").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Logg inn").click()
            page.wait_for_load_state("load")
            started = time.monotonic()
            author(page, base, vedtak, options.mode, tally)
            wall = time.monotonic() - started
            browser.close()
        stored = check(env, vedtak)
        if options.verbose:
            for number, what in enumerate(tally.log, start=1):
                print(f"{number:3d}  {what}")
        print(f"mode: {options.mode}")
        print(f"UI actions: {tally.actions} (target <= {TARGET_ACTIONS})")
        print(f"characters typed: {tally.characters}")
        print(f"stored: {stored}")
        print(f"wall time in the browser: {wall:.1f} s (machine-dependent, for information)")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if options.keep:
            print(f"kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
