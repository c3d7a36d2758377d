from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T19:08:38:000000"
VERSION = "1.38.0"
DESCRIPTION = "Today's units of the province; the old wards become history; bodies for the wards"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def move_to_todays_units():
        # In a migration of its own: raw steps run before the columns of their migration exist.
        from events.reorganization import move_install

        await move_install()

    manager.add_raw(move_to_todays_units)
    return manager
