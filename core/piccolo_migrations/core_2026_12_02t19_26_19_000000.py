from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T19:26:19:000000"
VERSION = "1.38.0"
DESCRIPTION = "Accounts made before e-mail confirmation count as confirmed"

# In a migration of its own because raw steps run before the columns of their migration exist.
SQL = "UPDATE account SET email_confirmed_at = created_at WHERE email_confirmed_at IS NULL"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def confirm_existing_addresses():
        await engine_finder().run_ddl(SQL)

    manager.add_raw(confirm_existing_addresses)
    return manager
