from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T20:14:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "A gate-staff account is assigned to a site or a fair at most once"

# Partial unique indexes (SQLite and PostgreSQL both have them); tickets.gate_scope sets exactly
# one of site and fair, since SQLite cannot add a CHECK to an existing table.
RULES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS unique_gate_site ON gate_assignment (account, site) "
    "WHERE site IS NOT NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS unique_gate_fair ON gate_assignment (account, fair) "
    "WHERE fair IS NOT NULL",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)

    async def create_indexes():
        for sql in RULES:
            await engine_finder().run_ddl(sql)

    async def drop_indexes():
        for name in ("unique_gate_site", "unique_gate_fair"):
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
