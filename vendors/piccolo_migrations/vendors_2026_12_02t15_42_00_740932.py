from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T15:42:00:740932"
VERSION = "1.38.0"
DESCRIPTION = "The old and new values of a profile change, in the vetting history"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="vendors", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="BusinessStatusChange",
        tablename="business_status_change",
        column_name="changes",
        db_column_name="changes",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
