"""Backup and restore (iop/backup.py): a backup of the database and every
stored file restores into a fresh database with the same rows and the same
bytes; a damaged archive, a database that is not empty and a file the
database names but the disk lacks all stop the operator loudly."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import secrets
import stat
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from iop.reports import services
from iop.reports.models import Report
from tests.conftest import World
from tests.reports.factories import make_iop
from tests.reports.fixtures import published_report


@dataclass
class Server:
    """The test database's server, for making and inspecting other databases on it."""

    user: str
    password: str
    host: str
    port: str

    @classmethod
    def of_tests(cls) -> Server:
        params = connection.settings_dict
        return cls(params["USER"] or "", params["PASSWORD"] or "", params["HOST"] or "", str(params["PORT"] or 5432))

    def connect(self, dbname: str) -> psycopg.Connection:
        return psycopg.connect(
            dbname=dbname,
            user=self.user,
            password=self.password or None,
            host=self.host,
            port=self.port,
            autocommit=True,
        )

    def url(self, dbname: str) -> str:
        auth = quote(self.user, safe="") + (":" + quote(self.password, safe="") if self.password else "")
        return f"postgres://{auth}@{self.host or 'localhost'}:{self.port}/{dbname}"


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """A new, empty database on the test server (dropped afterwards)."""
    server = Server.of_tests()
    name = f"iop_restore_{secrets.token_hex(6)}"
    with server.connect("postgres") as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with server.connect("postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def counts_in(dbname: str) -> dict[str, int]:
    """Rows per table, counted with a plain client (not with the code under test)."""
    with Server.of_tests().connect(dbname) as db:
        tables = db.execute(
            "SELECT schemaname, tablename FROM pg_tables"
            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
        ).fetchall()
        return {
            f"{schema}.{table}": db.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()[0]  # noqa: S608
            for schema, table in tables
        }


def files_in(root: Path) -> dict[str, tuple[str, int]]:
    """SHA-256 and permission bits of every file under ROOT."""
    return {
        path.relative_to(root).as_posix(): (
            hashlib.sha256(path.read_bytes()).hexdigest(),
            stat.S_IMODE(path.stat().st_mode),
        )
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def restore_in_subprocess(archive: Path, dbname: str, media_root: Path) -> subprocess.CompletedProcess[str]:
    """``manage.py restore`` as an operator runs it: its own process and settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="iop.settings",
        IOP_ENV="test",
        DATABASE_URL=Server.of_tests().url(dbname),
        MEDIA_ROOT=str(media_root),
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def finalised_report(world: World) -> Report:
    """A report finalised the real way: rendered once as PDF/A and stored."""
    teacher = world.user("teacher")
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=2, subjects=(("Norsk", 76),))
    report = services.report_create(actor=teacher, iop=iop)
    report = services.report_update(
        actor=teacher, report=report, version=report.version, data={"summary": "Anna leser nå korte tekster selv."}
    )
    report.pupil = world.pupil_a
    return services.report_finalise(actor=teacher, report=report, version=report.version)


def backup_to(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", output=str(path), stdout=out)
    return out.getvalue()


def flip_byte(archive: Path, member: str, into: Path) -> Path:
    """A copy of ARCHIVE with one byte of MEMBER's content changed."""
    with tarfile.open(archive) as tar:
        offset = tar.getmember(member).offset_data
    data = bytearray(archive.read_bytes())
    data[offset + 10] ^= 0x01
    into.write_bytes(bytes(data))
    return into


def refuses(archive: Path, message: str) -> None:
    """``restore`` (in this process, on the suite's database) stops with MESSAGE."""
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive), stdout=io.StringIO())


def test_a_backup_restores_into_a_fresh_database_with_every_stored_file(
    transactional_world: World, settings, tmp_path: Path, fresh_database: str
) -> None:
    settings.MEDIA_ROOT = media = tmp_path / "media"
    report = finalised_report(transactional_world)
    stored = media / report.pdf.name
    assert stat.S_IMODE(stored.stat().st_mode) == 0o640  # not world-readable
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o750
    default_storage.save("reports/unreferenced-note.txt", io.BytesIO(b"written by hand, named by no row"))
    source = counts_in(connection.settings_dict["NAME"])

    archive = tmp_path / "backup.tar"
    printed = backup_to(archive)
    assert "2 stored files" in printed
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        assert tar.extractfile(f"media/{report.pdf.name}").read() == stored.read_bytes()  # type: ignore[union-attr]
    assert manifest["files"][report.pdf.name]["sha256"] == report.pdf_sha256
    assert manifest["tables"]["reports_report"] == 1
    assert manifest["migrations"]["reports"] and manifest["app_version"]

    # Refused before anything is written: a damaged archive (checked first), then a database with tables.
    settings.MEDIA_ROOT = restored_media = tmp_path / "restored-media"
    (tmp_path / "short.tar").write_bytes(archive.read_bytes()[:5000])
    pdf_member = f"media/{report.pdf.name}"
    refuses(
        flip_byte(archive, pdf_member, tmp_path / "pdf.tar"), re.escape(f"{pdf_member} does not match its checksum")
    )
    refuses(flip_byte(archive, "database.dump", tmp_path / "dump.tar"), "database.dump does not match its checksum")
    refuses(tmp_path / "short.tar", "cannot be read as a backup archive")
    refuses(archive, r"is not empty \(\d+ tables: .*\); nothing was restored")
    assert not restored_media.exists()
    assert counts_in(connection.settings_dict["NAME"]) == source

    # Restored by an operator's own process into a new, empty database and MEDIA_ROOT.
    result = restore_in_subprocess(archive, fresh_database, restored_media)
    assert result.returncode == 0, result.stderr
    assert "the same as the manifest" in result.stdout

    restored = counts_in(fresh_database)
    assert restored == source
    assert restored["public.reports_report"] == 1 and restored["public.students_pupil"] >= 3
    with Server.of_tests().connect(fresh_database) as db:
        row = db.execute("SELECT pdf, pdf_sha256, status FROM reports_report WHERE id = %s", [report.pk]).fetchone()
        applied = dict(db.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall())
    assert row == (report.pdf.name, report.pdf_sha256, Report.Status.FINALISED)
    assert applied == manifest["migrations"]

    before, after = files_in(media), files_in(restored_media)
    assert {name: digest for name, (digest, _) in after.items()} == {n: d for n, (d, _) in before.items()}
    assert after[report.pdf.name][0] == report.pdf_sha256
    assert {mode for _, mode in after.values()} == {0o640}
    assert stat.S_IMODE((restored_media / report.pdf.name).parent.stat().st_mode) == 0o750


def test_no_backup_is_written_when_a_file_the_database_names_is_missing_or_changed(
    transactional_world: World, settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = media = tmp_path / "media"
    report = published_report(transactional_world)
    out = tmp_path / "backups"
    out.mkdir()

    (media / report.pdf.name).write_bytes(b"%PDF-1.7\n% not the finalised bytes\n%%EOF\n")
    with pytest.raises(CommandError, match=rf"checksum differs: {report.pdf.name} \(reports.Report {report.pk}\)"):
        backup_to(out)
    (media / report.pdf.name).unlink()
    with pytest.raises(CommandError, match=rf"missing: {report.pdf.name} \(reports.Report {report.pk}\)"):
        backup_to(out)
    assert list(out.iterdir()) == []  # no archive, no partial files

    default_storage.save(report.pdf.name, io.BytesIO(b"%PDF-1.7\n% test\n%%EOF\n"))
    backup_to(out)
    assert [p.suffix for p in out.iterdir()] == [".tar"]


def test_a_report_whose_stored_file_is_gone_is_refused_and_the_log_names_the_file(
    world: World, settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """What a database-only restore looks like: the row is there, the file is not."""
    settings.MEDIA_ROOT = tmp_path / "media"
    report = published_report(world)
    (settings.MEDIA_ROOT / report.pdf.name).unlink()
    with caplog.at_level(logging.ERROR, logger="iop.reports.services"):
        response = world.client("coordinator").get(reverse("reports:report_pdf", args=[report.pk]))
    assert response.status_code == 409
    assert report.pdf.name in caplog.text and str(report.pk) in caplog.text
