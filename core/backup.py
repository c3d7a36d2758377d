"""Online backup and restore of a SQLite installation: the database, the uploaded files and the
secrets under var/, in one .tar.gz with a manifest.

The database is copied with SQLite's backup API, which gives a consistent snapshot while the
app keeps writing. Uploaded files are written before the row that names them is committed and
are never changed afterwards, so copying the files named by the snapshot's rows, after the
snapshot, always finds them. PostgreSQL installations use pg_dump (docs/DEPLOYMENT.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core.database import sqlite_path
from core.errors import AppError
from core.private_files import private_dir, private_sqlite_file, write_private
from core.settings import get_settings

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = "database.sqlite3"
UPLOADS_MEMBER = "uploads"
SECRETS_MEMBER = "var"
# Generated on first start and needed to read what was made with them: CSRF tokens and the
# pass-signing keys (passes already printed must still verify after a restore).
SECRET_FILES = ("secret_key", "pass-keys.json")
# The table of uploaded files and the column that names each file under var/uploads/.
DOCUMENT_TABLE = "document"
STORAGE_KEY = "storage_key"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    tables: dict[str, int]
    uploads: int


@dataclass(frozen=True)
class RestoreResult:
    database: Path
    tables: dict[str, int]
    uploads: int


def _sqlite_file() -> Path:
    url = get_settings().database_url
    if urlsplit(url).scheme.lower() != "sqlite":
        raise AppError(
            400,
            "Lệnh này sao lưu cơ sở dữ liệu SQLite. Với PostgreSQL hãy dùng pg_dump / pg_restore "
            "(xem docs/DEPLOYMENT.md, mục Sao lưu).",
            "This command backs up a SQLite database. For PostgreSQL use pg_dump / pg_restore "
            "(see docs/DEPLOYMENT.md, Backups).",
        )
    return Path(sqlite_path(url)).resolve()


def _uploads_dir() -> Path:
    return get_settings().var_dir / "uploads"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {
        name: connection.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]  # noqa: S608
        for name in names
    }


def _storage_keys(connection: sqlite3.Connection) -> list[str]:
    try:
        rows = connection.execute(
            f"SELECT {STORAGE_KEY} FROM {DOCUMENT_TABLE} ORDER BY {STORAGE_KEY}"  # noqa: S608
        ).fetchall()
    except sqlite3.OperationalError:  # a database made before documents existed
        return []
    return [row[0] for row in rows]


def _snapshot(source: Path, target: Path) -> None:
    """A consistent copy of a live database.

    One step copies every page inside one read transaction: with the app's WAL journal, writers
    go on meanwhile, and the copy is the database as of the step's start. (Copying in several
    steps would start over after every write elsewhere, and under steady writes never end.)
    """
    with (
        sqlite3.connect(source) as reader,
        sqlite3.connect(target) as writer,
    ):
        reader.execute("PRAGMA busy_timeout = 30000")
        reader.backup(writer, pages=-1)
    writer.close()
    reader.close()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def default_backup_path() -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return get_settings().var_dir / "backups" / f"phiencho-{stamp}.tar.gz"


def make_backup(output: Path | None = None) -> BackupResult:
    """Write the archive to `output` (a new file) and return what it holds."""
    database = _sqlite_file()
    if not database.exists():
        raise AppError(
            404,
            f"Không có cơ sở dữ liệu để sao lưu: {database}.",
            f"There is no database to back up: {database}.",
        )
    output = (output or default_backup_path()).resolve()
    if output.exists():
        raise AppError(
            409,
            f"Tệp {output} đã có; hãy chọn tên khác.",
            f"{output} already exists; choose another name.",
        )
    private_dir(output.parent)
    var_dir = get_settings().var_dir
    with tempfile.TemporaryDirectory(prefix="phiencho-backup-") as work:
        copy = Path(work) / DATABASE_MEMBER
        _snapshot(database, copy)
        with sqlite3.connect(copy) as connection:
            tables = _row_counts(connection)
            keys = _storage_keys(connection)
        connection.close()
        uploads = []
        for key in keys:
            path = _uploads_dir() / key
            if not path.is_file():
                raise AppError(
                    500,
                    f"Thiếu tệp đã tải lên {key} mà cơ sở dữ liệu có nhắc tới.",
                    f"The uploaded file {key}, named in the database, is missing.",
                )
            uploads.append({"key": key, "size": path.stat().st_size, "sha256": _sha256(path)})
        secrets = [name for name in SECRET_FILES if (var_dir / name).is_file()]
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "database": {
                "engine": "sqlite",
                "file": DATABASE_MEMBER,
                "sha256": _sha256(copy),
                "tables": tables,
            },
            "uploads": uploads,
            "secrets": secrets,
        }
        partial = output.with_name(output.name + ".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            _add_bytes(
                archive, MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            )
            archive.add(copy, DATABASE_MEMBER)
            for upload in uploads:
                archive.add(_uploads_dir() / upload["key"], f"{UPLOADS_MEMBER}/{upload['key']}")
            for name in secrets:
                archive.add(var_dir / name, f"{SECRETS_MEMBER}/{name}")
        partial.replace(output)  # a backup cut short never looks complete
    return BackupResult(path=output, tables=tables, uploads=len(uploads))


def _refuse_unless_empty(database: Path) -> None:
    for suffix in ("", "-wal", "-journal"):
        candidate = database.with_name(database.name + suffix)
        if candidate.exists() and candidate.stat().st_size > 0:
            raise AppError(
                409,
                f"Nơi khôi phục phải trống, nhưng đã có cơ sở dữ liệu {candidate}. Hãy dừng ứng "
                "dụng và chuyển tệp đó đi (hoặc đặt DATABASE_URL tới một tệp mới).",
                f"The restore target must be empty, but the database {candidate} exists. Stop "
                "the app and move it away (or point DATABASE_URL at a new file).",
            )
    uploads = _uploads_dir()
    if uploads.exists() and any(uploads.iterdir()):
        raise AppError(
            409,
            f"Nơi khôi phục phải trống, nhưng thư mục {uploads} đã có tệp.",
            f"The restore target must be empty, but {uploads} already holds files.",
        )


def _damaged(what: str) -> AppError:
    return AppError(
        422,
        f"Bản sao lưu bị hỏng hoặc không đầy đủ: {what}. Không khôi phục gì cả.",
        f"The backup is damaged or incomplete: {what}. Nothing was restored.",
    )


def _read_manifest(root: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((root / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise _damaged(MANIFEST) from exc
    if manifest.get("format") != FORMAT:
        raise _damaged(f"format {manifest.get('format')!r}")
    return manifest


def _verify(root: Path, manifest: dict[str, Any]) -> None:
    """Every file as the manifest describes it, and a database SQLite finds sound."""
    database = root / DATABASE_MEMBER
    if not database.is_file() or _sha256(database) != manifest["database"]["sha256"]:
        raise _damaged(DATABASE_MEMBER)
    for upload in manifest["uploads"]:
        path = root / UPLOADS_MEMBER / upload["key"]
        if not path.is_file() or _sha256(path) != upload["sha256"]:
            raise _damaged(f"{UPLOADS_MEMBER}/{upload['key']}")
    for name in manifest["secrets"]:
        if not (root / SECRETS_MEMBER / name).is_file():
            raise _damaged(f"{SECRETS_MEMBER}/{name}")
    with sqlite3.connect(database) as connection:
        check = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = _row_counts(connection)
    connection.close()
    if check != "ok":
        raise _damaged(f"integrity_check: {check}")
    if tables != manifest["database"]["tables"]:
        raise _damaged("row counts")


def restore_backup(archive_path: Path) -> RestoreResult:
    """Restore an archive into the empty installation DATABASE_URL and VAR_DIR point at."""
    database = _sqlite_file()
    _refuse_unless_empty(database)
    var_dir = get_settings().var_dir
    with tempfile.TemporaryDirectory(prefix="phiencho-restore-") as work:
        root = Path(work)
        try:
            with tarfile.open(archive_path, mode="r:gz") as archive:
                # "data": no absolute paths, no "..", no links out of the folder, no devices.
                archive.extractall(root, filter="data")
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise _damaged(f"{archive_path}: {exc}") from exc
        manifest = _read_manifest(root)
        _verify(root, manifest)

        private_dir(database.parent)
        partial = database.with_name(database.name + ".restoring")
        partial.unlink(missing_ok=True)
        private_sqlite_file(partial)
        _snapshot(root / DATABASE_MEMBER, partial)
        for suffix in ("-wal", "-shm", "-journal"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
        partial.replace(database)

        uploads = private_dir(_uploads_dir(), tighten=True)
        for upload in manifest["uploads"]:
            source = root / UPLOADS_MEMBER / upload["key"]
            write_private(uploads / upload["key"], source.read_bytes())
        for name in manifest["secrets"]:
            # The install being restored into is empty, so its own freshly generated secrets
            # protect nothing yet; the archive's are the ones its data was made with.
            target = var_dir / name
            shutil.copyfile(root / SECRETS_MEMBER / name, target)
            target.chmod(0o600)

    with sqlite3.connect(database) as connection:
        tables = _row_counts(connection)
    connection.close()
    if tables != manifest["database"]["tables"]:
        raise _damaged("row counts after the restore")
    return RestoreResult(database=database, tables=tables, uploads=len(manifest["uploads"]))
