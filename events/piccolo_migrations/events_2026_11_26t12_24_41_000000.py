from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T12:24:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "One code per stall of a site; one application per stall of a fair"

# Unique indexes rather than ADD CONSTRAINT, which SQLite cannot do on an existing table;
# in a migration of its own because raw steps run before the tables of their migration exist.
INDEXES = {
    "unique_stall_site_code": "stall (site, code)",
    "unique_closed_stall": "closed_stall (fair, stall)",
    # Two organizers assigning one stall at the same moment: the database lets one win.
    "unique_assignment_fair_stall": "assignment (fair, stall)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def create_indexes():
        for name, target in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop_indexes():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
