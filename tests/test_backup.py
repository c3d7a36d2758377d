"""`python -m manage backup` while the app writes, and `restore` into an empty installation."""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest

from core.settings import get_settings
from tests.conftest import run_cli
from tests.factories import PASSWORD, PDF_BYTES, ROLE_EMAILS, make_product, seed_world
from tests.live_server import migrate, using_database

pytestmark = pytest.mark.anyio


def rows_of(database: Path) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    with sqlite3.connect(database) as connection:
        tables = [
            r[0]
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        contents = {
            table: sorted(
                connection.execute(f'SELECT * FROM "{table}"').fetchall(),
                key=repr,
            )
            for table in tables
        }
    connection.close()
    return contents


@pytest.fixture
def installation(tmp_path):
    """A migrated SQLite database in WAL mode, as the running app keeps it."""
    database = tmp_path / "source" / "phiencho.sqlite3"
    database.parent.mkdir()
    url = f"sqlite:///{database}"
    migrate(url)
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
    connection.close()
    return database, url


async def test_a_backup_taken_during_writes_restores_to_a_consistent_copy(installation, tmp_path):
    from tickets import keys
    from vendors.tables import Product

    database, url = installation
    async with using_database(url):
        world = await seed_world()
    keys.ring()  # the pass-signing keys exist, as after the first pass was issued
    archive = tmp_path / "sao-luu.tar.gz"

    written: list[int] = []
    backup_done = asyncio.Event()

    async def keep_writing() -> None:
        async with using_database(url):
            after_backup = 0
            while after_backup < 3:
                name = f"Hàng ghi liên tục {len(written) + 1}"
                written.append(await make_product(world["business_id"], name))
                after_backup += backup_done.is_set()
                await asyncio.sleep(0.005)

    async def back_up() -> None:
        while len(written) < 5:  # the app is busy writing when the backup starts
            await asyncio.sleep(0.01)
        result = await asyncio.to_thread(
            run_cli, "backup", "--output", str(archive), database_url=url
        )
        backup_done.set()
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Backed up" in result.stdout

    await asyncio.gather(keep_writing(), back_up())
    source = rows_of(database)

    with tarfile.open(archive) as opened:
        names = set(opened.getnames())
        manifest = json.loads(opened.extractfile("manifest.json").read())
    assert {"manifest.json", "database.sqlite3", "var/secret_key", "var/pass-keys.json"} <= names
    assert [u["key"] for u in manifest["uploads"]] == [
        r[0] for r in sqlite3.connect(database).execute("SELECT storage_key FROM document")
    ]

    target_var = tmp_path / "target" / "var"
    target = tmp_path / "target" / "phiencho.sqlite3"
    restored = run_cli(
        "restore",
        str(archive),
        database_url=f"sqlite:///{target}",
        extra_env={"VAR_DIR": str(target_var)},
    )
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Restored" in restored.stdout
    copy = rows_of(target)

    # The copy is the database as it was at one instant: every other table exactly as now,
    # and the products written meanwhile up to some point, with none missing before it.
    product_table = Product._meta.tablename
    assert {t: r for t, r in copy.items() if t != product_table} == {
        t: r for t, r in source.items() if t != product_table
    }
    copied_ids = sorted(row[0] for row in copy[product_table])
    assert copy[product_table] == [r for r in source[product_table] if r[0] <= copied_ids[-1]]
    assert world["product_id"] in copied_ids
    assert any(i in copied_ids for i in written)
    assert written[-1] not in copied_ids  # written after the backup: the writes overlapped it
    assert sum(manifest["database"]["tables"].values()) == sum(len(r) for r in copy.values())

    # The uploaded certificate and the secrets came back byte for byte.
    key = copy["document"][0][[c[1] for c in _columns(target, "document")].index("storage_key")]
    assert (target_var / "uploads" / key).read_bytes() == PDF_BYTES
    source_var = get_settings().var_dir
    for name in ("secret_key", "pass-keys.json"):
        assert (target_var / name).read_bytes() == (source_var / name).read_bytes()

    # And the restored installation works: its accounts sign in with their passwords.
    from core.accounts import User

    async with using_database(f"sqlite:///{target}"):
        assert await User.login(ROLE_EMAILS[next(iter(ROLE_EMAILS))], PASSWORD) is not None


def _columns(database: Path, table: str) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        columns = connection.execute(f'PRAGMA table_info("{table}")').fetchall()
    connection.close()
    return columns


async def test_restore_refuses_a_target_in_use_and_a_damaged_archive(installation, tmp_path):
    database, url = installation
    async with using_database(url):
        await seed_world()
    archive = tmp_path / "sao-luu.tar.gz"
    made = run_cli("backup", "--output", str(archive), database_url=url)
    assert made.returncode == 0, made.stderr

    again = run_cli("backup", "--output", str(archive), database_url=url)
    assert again.returncode == 2
    assert "already exists" in again.stderr and "đã có" in again.stderr

    before = rows_of(database)
    over_live_data = run_cli("restore", str(archive), database_url=url)
    assert over_live_data.returncode == 2
    assert "must be empty" in over_live_data.stderr
    assert "phải trống" in over_live_data.stderr
    assert rows_of(database) == before

    # One byte changed in the database inside the archive: caught, and nothing is written.
    damaged = tmp_path / "hong.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "database.sqlite3":
                data = data[:-1] + bytes([data[-1] ^ 1])
            copy.addfile(member, io.BytesIO(data))
    target = tmp_path / "target" / "phiencho.sqlite3"
    target_var = tmp_path / "target" / "var"
    refused = run_cli(
        "restore",
        str(damaged),
        database_url=f"sqlite:///{target}",
        extra_env={"VAR_DIR": str(target_var)},
    )
    assert refused.returncode == 2
    assert "damaged" in refused.stderr and "Nothing was restored" in refused.stderr
    assert not target.exists() or target.stat().st_size == 0
    assert not (target_var / "uploads").exists()

    not_an_archive = tmp_path / "khong-phai.tar.gz"
    not_an_archive.write_bytes(b"not a backup")
    refused = run_cli(
        "restore",
        str(not_an_archive),
        database_url=f"sqlite:///{target}",
        extra_env={"VAR_DIR": str(target_var)},
    )
    assert refused.returncode == 2
    assert "damaged" in refused.stderr


def test_backup_of_a_postgresql_installation_points_at_pg_dump(tmp_path):
    result = run_cli(
        "backup",
        "--output",
        str(tmp_path / "x.tar.gz"),
        database_url="postgresql://postgres@127.0.0.1:5432/phiencho",
    )
    assert result.returncode == 2
    assert "pg_dump" in result.stderr and "docs/DEPLOYMENT.md" in result.stderr
    assert not (tmp_path / "x.tar.gz").exists()
