"""Uploaded certificates and photos, and the SQLite database, can be read by the app's own
account only (files 0600, folders 0700), whatever umask the server was started with."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from core.database import engine_from_url, prepare_engine, release_engine
from core.roles import Role
from core.settings import get_settings
from tests.conftest import run_cli
from tests.factories import PDF_BYTES, login, seed_world
from tests.inspection_factories import PNG, seed_inspections

pytestmark = pytest.mark.anyio


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The umask most servers start with: new files 0644, new folders 0755."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


async def test_an_uploaded_document_is_readable_by_the_app_alone(db, client, loose_umask):
    from vendors.documents import storage_dir
    from vendors.tables import Document

    await seed_world()
    await login(client, Role.BUSINESS)
    upload = await client.post(
        "/api/businesses/me/documents",
        files={"file": ("giay-phep.pdf", PDF_BYTES, "application/pdf")},
        data={"kind": "registration_certificate"},
        headers={"x-site-csrf": "1"},
    )
    assert upload.status_code == 201, upload.text
    row = await Document.select(Document.storage_key).where(Document.id == upload.json()["id"])
    stored = storage_dir() / row[0]["storage_key"]
    assert stored.read_bytes() == PDF_BYTES
    assert mode(stored) == 0o600
    assert mode(stored.parent) == 0o700
    assert mode(get_settings().var_dir) == 0o700


async def test_an_inspection_photo_is_readable_by_the_app_alone(db, client, loose_umask):
    from inspections.photos import storage_dir
    from inspections.tables import InspectionPhoto

    ids = await seed_inspections(await seed_world())
    await login(client, Role.INSPECTOR)
    upload = await client.post(
        f"/api/inspections/{ids['inspection_id']}/photos",
        files={"file": ("anh.png", PNG, "image/png")},
        data={"item": "prices_shown"},
        headers={"x-site-csrf": "1"},
    )
    assert upload.status_code == 201, upload.text
    row = await InspectionPhoto.select(InspectionPhoto.file).where(
        InspectionPhoto.id == upload.json()["id"]
    )
    stored = storage_dir() / row[0]["file"]
    assert stored.read_bytes() == PNG
    assert mode(stored) == 0o600
    assert mode(stored.parent) == 0o700
    assert mode(stored.parent.parent) == 0o700


def _assert_private_database(path: Path) -> None:
    assert mode(path) == 0o600
    # While the app has the database open, SQLite keeps its journal beside it.
    with sqlite3.connect(path) as reader:
        assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
        for suffix in ("-wal", "-shm"):
            journal = path.with_name(path.name + suffix)
            assert journal.exists(), journal
            assert mode(journal) == 0o600, suffix
    reader.close()


def test_migrating_a_fresh_sqlite_database_creates_it_private(tmp_path, loose_umask):
    var_dir = tmp_path / "install" / "var"
    database = tmp_path / "data" / "sqlite" / "phiencho.sqlite3"
    result = run_cli(
        "migrate", database_url=f"sqlite:///{database}", extra_env={"VAR_DIR": str(var_dir)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    _assert_private_database(database)
    assert mode(database.parent) == mode(database.parent.parent) == 0o700
    assert mode(var_dir) == 0o700
    assert (var_dir / "secret_key").is_file() and mode(var_dir / "secret_key") == 0o600


async def test_starting_on_a_fresh_or_older_sqlite_file_makes_it_private(tmp_path, loose_umask):
    fresh = tmp_path / "new" / "phiencho.sqlite3"
    older = tmp_path / "phiencho-old.sqlite3"
    sqlite3.connect(older).close()  # as a release that set no modes left it, 0644
    assert mode(older) == 0o644
    for path in (fresh, older):
        engine = engine_from_url(f"sqlite:///{path}")
        await prepare_engine(engine)
        try:
            await engine.run_ddl("CREATE TABLE IF NOT EXISTS probe (id INTEGER)")
            _assert_private_database(path)
        finally:
            await release_engine(engine)
    assert mode(fresh.parent) == 0o700
