from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T12:10:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique private calendar tokens"

# A unique index: SQLite cannot add a UNIQUE column, and raw steps run before the columns of
# their own migration exist.
SQL = (
    "CREATE UNIQUE INDEX IF NOT EXISTS unique_business_calendar_token ON business (calendar_token)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="vendors", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(SQL)

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS unique_business_calendar_token")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
