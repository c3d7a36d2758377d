from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T14:34:37:000000"
VERSION = "1.38.0"
DESCRIPTION = "One answer per checklist item; one membership per person and team"

# Unique indexes rather than ADD CONSTRAINT, which SQLite cannot do on an existing table;
# in a migration of its own because raw steps run before the tables of their migration exist.
INDEXES = {
    "unique_checklist_result_item": "checklist_result (inspection, item)",
    "unique_team_member_user": "team_member (team, \"user\")",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="inspections", description=DESCRIPTION)

    async def create_indexes():
        for name, target in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop_indexes():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
