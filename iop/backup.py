"""Backup and restore: the database and every stored file, in one archive.

A backup is one uncompressed tar file::

    database.dump        pg_dump, custom format (compressed by pg_dump)
    media/<path>         every regular file under MEDIA_ROOT (report PDFs, batch ZIPs)
    manifest.json        what was taken: SHA-256 of the dump and of every file, the
                         app version, the latest applied migration per app, the
                         time, and the row count of every table

Consistency. The dump, the row counts, the migration state and the list of
files the database refers to all come from one snapshot: a read-only
REPEATABLE READ transaction exports its snapshot and pg_dump runs with
``--snapshot``. Stored files are written once and never changed (a finalised
report's PDF is rendered once; a batch ZIP once), and a file is written
before the transaction that names it commits. So the files listed *after*
the snapshot include every file a row in the dump refers to; files written
later are harmless extras. The backup checks this instead of assuming it:
every FileField value in the snapshot must be in the archive, and where the
model keeps the file's checksum (``<field>_sha256``) the archived bytes must
match it; otherwise no archive is written.

Restore writes only into an empty database (no tables at all), so it can
never mix two states. It first checks every checksum in the archive, then
checks that stored files it would write do not clash with different files
already under MEDIA_ROOT, then runs pg_restore in one transaction, writes the
files (mode 0640, folders 0750) and compares the row counts with the
manifest.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import stat
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

FORMAT = "iop-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
FILE_MODE = 0o640
DIR_MODE = 0o750
ARCHIVE_MODE = 0o600
CHUNK = 1024 * 1024

Log = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that must not go on; the message tells the operator why."""


@dataclass
class Backup:
    path: Path
    manifest: dict[str, Any]


@dataclass
class Restored:
    manifest: dict[str, Any]
    database: str
    counts: dict[str, int]
    mismatches: dict[str, tuple[int | None, int | None]]
    files_written: int
    files_present: int
    notes: list[str] = field(default_factory=list)


def _quiet(message: str) -> None:
    pass


# --- PostgreSQL client programs ---------------------------------------------------------------------


def _postgres(using: str) -> BaseDatabaseWrapper:
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise BackupError(
            f"Backup and restore need PostgreSQL; the database {using!r} uses {connection.vendor}. "
            "For the SQLite demo, stop the server and copy the var/ folder."
        )
    connection.ensure_connection()
    return connection


def _tool(name: str) -> tuple[str, str, int]:
    """Path, version text and major version of pg_dump or pg_restore."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on PATH: install the PostgreSQL client programs (postgresql-client).")
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"(\d+)(?:\.(\d+))?", out)
    if match is None:  # pragma: no cover - every pg_dump prints its version
        raise BackupError(f"Could not read the version of {path}: {out!r}")
    return path, match.group(0), int(match.group(1))


def _server_version(connection: BaseDatabaseWrapper) -> tuple[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        number = int(cursor.fetchone()[0])  # e.g. 150020
    return f"{number // 10000}.{number % 10000}", number // 10000


def _client_args(connection: BaseDatabaseWrapper) -> tuple[list[str], dict[str, str]]:
    """libpq options (user, host, port, database) and environment (password,
    TLS files, service) of the connection, as Django's own ``dbshell`` uses them."""
    params = connection.settings_dict
    args: list[str] = []
    if params.get("USER"):
        args += ["--username", str(params["USER"])]
    if params.get("HOST"):
        args += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("NAME"):
        args += ["--dbname", str(params["NAME"])]
    _, env = DatabaseClient.settings_to_cmd_args_env(params, [])
    return args, {**os.environ, **(env or {})}


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise BackupError(f"{what} failed (exit status {result.returncode}):\n{detail}")


# --- What the database holds ---------------------------------------------------------------------


def _tables(connection: BaseDatabaseWrapper) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            " AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp\\_%%'"
            " ORDER BY 1, 2"
        )
        return [(schema, name) for schema, name in cursor.fetchall()]


def _label(schema: str, table: str) -> str:
    return table if schema == "public" else f"{schema}.{table}"


def row_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """Rows in every table of the database (all schemas but PostgreSQL's own)."""
    quote = connection.ops.quote_name
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for schema, table in _tables(connection):
            cursor.execute(f"SELECT count(*) FROM {quote(schema)}.{quote(table)}")  # noqa: S608 - quoted names
            counts[_label(schema, table)] = cursor.fetchone()[0]
    return counts


def migration_state(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The latest applied migration of each app (in the order they were applied)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        return dict(cursor.fetchall())


@dataclass(frozen=True)
class Reference:
    model: str
    pk: str
    name: str
    sha256: str


def _file_references(using: str) -> Iterator[Reference]:
    """Every stored file a row names, with the checksum the row keeps (if any)."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = {f.name for f in model._meta.concrete_fields}
        for model_field in model._meta.concrete_fields:
            if not isinstance(model_field, models.FileField):
                continue
            checksum = f"{model_field.name}_sha256"
            columns = ["pk", model_field.name] + ([checksum] if checksum in names else [])
            stored = model._default_manager.using(using).exclude(**{model_field.name: ""})
            stored = stored.exclude(**{f"{model_field.name}__isnull": True}).order_by("pk")
            row: tuple[Any, ...]
            for row in stored.values_list(*columns).iterator():
                yield Reference(model._meta.label, str(row[0]), str(row[1]), row[2] if len(row) > 2 else "")


# --- Files ---------------------------------------------------------------------------------------


class _Hashing:
    """A readable file that hashes what is read through it."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _stored_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative posix path, path) of every regular file under ROOT, sorted."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if stat.S_ISREG(path.lstat().st_mode):
                yield path.relative_to(root).as_posix(), path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_member(name: str) -> str | None:
    """The relative MEDIA_ROOT path of a media member, or None if NAME is not
    a plain relative path (absolute, '..', empty parts)."""
    path = PurePosixPath(name)
    if path.is_absolute() or len(path.parts) < 2 or path.parts[0] != MEDIA:
        return None
    if any(part in ("", ".", "..") for part in path.parts) or "\\" in name:
        return None
    return PurePosixPath(*path.parts[1:]).as_posix()


def _makedirs(path: Path) -> None:
    """Create PATH and missing parents with mode 0750."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        folder.mkdir()
        folder.chmod(DIR_MODE)


# --- Backup --------------------------------------------------------------------------------------


def _target(given: str | Path, now: datetime.datetime) -> Path:
    output = Path(given)
    if str(given).endswith(os.sep) and not output.is_dir():
        raise BackupError(f"The folder {output} does not exist.")
    if output.is_dir():
        output = output / f"iop-backup-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar"
    if output.exists():
        raise BackupError(f"{output} already exists; choose another name.")
    if not output.parent.is_dir():
        raise BackupError(f"The folder {output.parent} does not exist.")
    if not os.access(output.parent, os.W_OK | os.X_OK):
        raise BackupError(f"This user (uid {os.getuid()}) cannot write into {output.parent}.")
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if output.parent.resolve().is_relative_to(media_root):
        raise BackupError(f"Write the backup outside MEDIA_ROOT ({media_root}).")
    return output


def create_backup(output: str | Path, *, using: str = "default", log: Log = _quiet) -> Backup:
    """Write a backup of the database USING and MEDIA_ROOT to OUTPUT (a file
    name, or a folder to name it in). Nothing is left behind when it fails."""
    connection = _postgres(using)
    pg_dump, pg_dump_version, dump_major = _tool("pg_dump")
    server_version, server_major = _server_version(connection)
    if dump_major < server_major:
        raise BackupError(
            f"pg_dump {pg_dump_version} cannot dump a PostgreSQL {server_version} server: "
            f"install postgresql-client-{server_major} (or newer)."
        )
    now = timezone.now()
    target = _target(output, now)
    media_root = Path(settings.MEDIA_ROOT)
    client, env = _client_args(connection)
    if connection.in_atomic_block:
        raise BackupError("Run the backup outside a transaction: it takes its own snapshot.")

    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".iop-backup-") as tmp:
        dump = Path(tmp) / DUMP
        log(f"Dumping the database {connection.settings_dict['NAME']} (PostgreSQL {server_version})…")
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            args = [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", *client]
            _run(args, env, "pg_dump")
            counts = row_counts(connection)
            migrations = migration_state(connection)
            references = list(_file_references(using))
        # Listed after the snapshot: every file a row in it names was written before that row committed.
        log(f"Adding the stored files under {media_root}…")
        partial = Path(tmp) / "archive.tar"
        files: dict[str, dict[str, Any]] = {}
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            archive.add(dump, arcname=DUMP, filter=_plain)
            for relative, path in _stored_files(media_root):
                info = _plain(archive.gettarinfo(path, arcname=f"{MEDIA}/{relative}"))
                with path.open("rb") as handle:
                    reader = _Hashing(handle)
                    archive.addfile(info, reader)  # type: ignore[arg-type]
                if reader.size != info.size:  # pragma: no cover - tarfile raises first
                    raise BackupError(f"{path} changed while it was read.")
                files[relative] = {"sha256": reader.sha256.hexdigest(), "size": reader.size}
            _check_references(references, files)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": timezone.localtime(now).isoformat(timespec="seconds"),
                "app_version": _app_version(),
                "database": {
                    "engine": "postgresql",
                    "name": connection.settings_dict["NAME"],
                    "server_version": server_version,
                    "pg_dump_version": pg_dump_version,
                    "file": DUMP,
                    "sha256": sha256_of(dump),
                    "size": dump.stat().st_size,
                },
                "migrations": migrations,
                "tables": counts,
                "files": files,
                "file_references": len(references),
            }
            data = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), FILE_MODE, int(now.timestamp())
            archive.addfile(info, _BytesReader(data))  # type: ignore[arg-type]
        partial.chmod(ARCHIVE_MODE)
        os.replace(partial, target)
    return Backup(target, manifest)


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.at + size
        chunk, self.at = self.data[self.at : end], min(end, len(self.data))
        return chunk


def _plain(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = FILE_MODE
    return info


def _check_references(references: list[Reference], files: dict[str, dict[str, Any]]) -> None:
    missing = [r for r in references if r.name not in files]
    changed = [r for r in references if r.name in files and r.sha256 and files[r.name]["sha256"] != r.sha256]
    if not missing and not changed:
        return
    lines = [f"  missing: {r.name} ({r.model} {r.pk})" for r in missing[:20]]
    lines += [f"  checksum differs: {r.name} ({r.model} {r.pk})" for r in changed[:20]]
    more = len(missing) + len(changed) - len(lines)
    if more > 0:
        lines.append(f"  … and {more} more")
    raise BackupError(
        f"No backup was written: {len(missing)} stored file(s) the database refers to are missing under "
        f"MEDIA_ROOT ({settings.MEDIA_ROOT}) and {len(changed)} do not match their checksum:\n" + "\n".join(lines)
    )


def _app_version() -> str:
    try:
        return importlib.metadata.version("iop")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a plain checkout
        return "unknown"


# --- Restore -------------------------------------------------------------------------------------


def read_archive(archive: Path, into: Path) -> dict[str, Any]:
    """Unpack ARCHIVE into the folder INTO and check it against its manifest:
    the dump's and every file's SHA-256, and no file missing or unlisted.
    Returns the manifest; raises BackupError on any damage."""
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file.")
    hashes: dict[str, str] = {}
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                known = member.name in (MANIFEST, DUMP) or _safe_member(member.name) is not None
                if not known or not member.isfile():
                    raise BackupError(f"The archive holds an unexpected entry {member.name!r}: it is not a backup.")
                if member.name in hashes:
                    raise BackupError(f"The archive holds {member.name!r} twice: it is not a backup.")
                destination = into / member.name
                destination.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                reader = _Hashing(source)
                with destination.open("wb") as handle:
                    shutil.copyfileobj(reader, handle, CHUNK)  # type: ignore[misc]
                hashes[member.name] = reader.sha256.hexdigest()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{archive} cannot be read as a backup archive: {exc}") from exc

    if MANIFEST not in hashes:
        raise BackupError(f"{archive} has no {MANIFEST}: it is not a backup made by manage.py backup.")
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"The manifest in {archive} is damaged: {exc}") from exc
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{archive} is not a backup this version can read (format {manifest.get('format')!r}).")

    problems: list[str] = []
    if hashes.get(DUMP) is None:
        problems.append(f"{DUMP} is missing")
    elif hashes[DUMP] != manifest["database"]["sha256"]:
        problems.append(f"{DUMP} does not match its checksum")
    listed = manifest["files"]
    present = {name[len(MEDIA) + 1 :]: digest for name, digest in hashes.items() if name.startswith(MEDIA + "/")}
    for name in sorted(listed.keys() - present.keys()):
        problems.append(f"{MEDIA}/{name} is missing")
    for name in sorted(present.keys() - listed.keys()):
        problems.append(f"{MEDIA}/{name} is not in the manifest")
    for name in sorted(listed.keys() & present.keys()):
        if listed[name]["sha256"] != present[name]:
            problems.append(f"{MEDIA}/{name} does not match its checksum")
    if problems:
        shown = "\n".join(f"  {p}" for p in problems[:20])
        raise BackupError(f"{archive} is damaged; nothing was restored:\n{shown}")
    return manifest


def _require_empty(connection: BaseDatabaseWrapper) -> None:
    tables = [_label(schema, table) for schema, table in _tables(connection)]
    if tables:
        name = connection.settings_dict["NAME"]
        shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        raise BackupError(
            f"The database {name!r} is not empty ({len(tables)} tables: {shown}); nothing was restored. "
            "Restore only into an empty database: create a new one (createdb), or drop this one and create it "
            "again, and restore before running migrate."
        )


def _clashes(manifest: dict[str, Any], media_root: Path) -> tuple[list[str], int]:
    """Files that exist under MEDIA_ROOT with other content, and how many are already identical."""
    clashes: list[str] = []
    same = 0
    for name, entry in manifest["files"].items():
        path = media_root / name
        if path.exists() or path.is_symlink():
            if path.is_file() and not path.is_symlink() and sha256_of(path) == entry["sha256"]:
                same += 1
            else:
                clashes.append(name)
    return clashes, same


def _write_file(source: Path, destination: Path) -> None:
    _makedirs(destination.parent)
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".restore-")
    try:
        with os.fdopen(handle, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _migration_notes(connection: BaseDatabaseWrapper) -> list[str]:
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    applied = set(executor.loader.applied_migrations)
    unknown = sorted(f"{app}.{name}" for app, name in applied if (app, name) not in graph.nodes)
    notes = []
    if unknown:
        notes.append(
            "The backup was made by a newer version of the app (migrations this version does not know: "
            + ", ".join(unknown[:5])
            + "). Run the version that made the backup, or a newer one."
        )
    elif executor.migration_plan(graph.leaf_nodes()):
        notes.append("The backup is from an older version of the app: run `manage.py migrate` next.")
    return notes


def restore_backup(archive: Path, *, using: str = "default", log: Log = _quiet) -> Restored:
    """Restore ARCHIVE into the empty database USING and MEDIA_ROOT."""
    connection = _postgres(using)
    pg_restore, pg_restore_version, restore_major = _tool("pg_restore")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="iop-restore-") as tmp:
        work = Path(tmp)
        log(f"Checking {archive}…")
        manifest = read_archive(Path(archive), work)
        dumped_by = manifest["database"]["pg_dump_version"]
        if restore_major < int(dumped_by.split(".")[0]):
            raise BackupError(
                f"The dump was made by pg_dump {dumped_by}; pg_restore {pg_restore_version} cannot read it. "
                f"Install postgresql-client-{dumped_by.split('.')[0]} (or newer)."
            )
        _require_empty(connection)
        clashes, same = _clashes(manifest, media_root)
        if clashes:
            shown = "\n".join(f"  {name}" for name in clashes[:20])
            raise BackupError(
                f"{len(clashes)} file(s) under MEDIA_ROOT ({media_root}) differ from the backup's; "
                f"nothing was restored. Restore into an empty MEDIA_ROOT:\n{shown}"
            )

        log(f"Restoring the database into {connection.settings_dict['NAME']}…")
        client, env = _client_args(connection)
        args = [pg_restore, "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error", *client]
        _run([*args, str(work / DUMP)], env, "pg_restore")

        log(f"Writing {len(manifest['files'])} stored file(s) under {media_root}…")
        if not media_root.exists():
            _makedirs(media_root)
        written = 0
        for name in sorted(manifest["files"]):
            destination = media_root / name
            if destination.is_file():
                continue  # identical, checked above
            _write_file(work / MEDIA / name, destination)
            written += 1

    counts = row_counts(connection)
    expected: dict[str, int] = manifest["tables"]
    mismatches = {
        table: (expected.get(table), counts.get(table))
        for table in sorted(expected.keys() | counts.keys())
        if expected.get(table) != counts.get(table)
    }
    return Restored(
        manifest=manifest,
        database=str(connection.settings_dict["NAME"]),
        counts=counts,
        mismatches=mismatches,
        files_written=written,
        files_present=same,
        notes=_migration_notes(connection),
    )
