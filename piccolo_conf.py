"""Piccolo's configuration: the engine from DATABASE_URL and the apps in migration order."""

from piccolo.conf.apps import AppRegistry

from core.database import engine_from_url
from core.settings import get_settings

DB = engine_from_url(get_settings().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "piccolo.apps.user.piccolo_app",
        "piccolo_api.session_auth.piccolo_app",
        "core.piccolo_app",
        "vendors.piccolo_app",
        "events.piccolo_app",
        "tickets.piccolo_app",
        "inspections.piccolo_app",
    ]
)
