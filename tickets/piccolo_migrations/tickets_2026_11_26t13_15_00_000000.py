from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T13:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "At most one active pass per application"

# A partial unique index (SQLite and PostgreSQL both have them): revoked passes stay on record.
SQL = (
    "CREATE UNIQUE INDEX IF NOT EXISTS unique_active_pass_per_application ON pass (application) "
    "WHERE status = 'active' AND application IS NOT NULL"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(SQL)

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS unique_active_pass_per_application")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
