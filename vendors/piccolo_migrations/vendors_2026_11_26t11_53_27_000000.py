from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T11:53:27:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique (business, category) pairs"

# A unique index rather than ADD CONSTRAINT, which SQLite cannot do on an existing table;
# in a migration of its own because raw steps run before the tables of their migration exist.
SQL = "CREATE UNIQUE INDEX IF NOT EXISTS unique_business_category ON business_category (business, category)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="vendors", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(SQL)

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS unique_business_category")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
