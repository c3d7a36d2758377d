"""The web application: create_app() wires plugins, middleware, stores and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from litestar.template.config import TemplateConfig

from admin import admin
from allocation import routes as allocation_routes
from console import routes as console_routes
from core import routes as core_routes
from core.auth import SessionAuthMiddleware
from core.changes import bump_on_write
from core.database import engine_from_url, prepare_engine, release_engine
from core.errors import EXCEPTION_HANDLERS
from core.i18n import install_in_jinja, language_middleware
from core.mail import mail_sender_lifespan
from core.openapi import declare_problems_on_startup
from core.security import ApiCrossSiteGuard, security_headers
from core.settings import PROJECT_ROOT, get_settings
from core.tables import Ward
from core.units import ward_title
from events import routes as events_routes
from events.reorganization import ensure_moved
from inspections import routes as inspections_routes
from portal import routes as portal_routes
from reports import routes as reports_routes
from tickets import routes as tickets_routes
from vendors import routes as vendors_routes
from wiring import connect_domains

SWAGGER_UI = "/static/vendor/swagger-ui-5.35.0"


def build_stores(redis_url: str | None) -> dict[str, Store]:
    """Redis when configured, so that several workers share counters and caches."""
    names = ("login_throttle", "rate_limit", "response_cache")
    if redis_url:
        root = RedisStore.with_client(url=redis_url, namespace="phiencho")
        return {name: root.with_namespace(name) for name in names}
    return {name: MemoryStore() for name in names}


@asynccontextmanager
async def database_lifespan(_: Litestar) -> AsyncIterator[None]:
    engine = Ward._meta.db
    await prepare_engine(engine)
    await ensure_moved()
    try:
        yield
    finally:
        await release_engine(engine)


def configure_templates(engine: JinjaTemplateEngine) -> None:
    install_in_jinja(engine)
    engine.engine.filters["ward"] = ward_title


def create_app() -> Litestar:
    settings = get_settings()
    engine_from_url(settings.database_url)  # a bad DATABASE_URL stops the start, with its reason
    connect_domains()
    return Litestar(
        route_handlers=[
            *core_routes.ROUTES,
            *vendors_routes.ROUTES,
            *events_routes.ROUTES,
            *allocation_routes.ROUTES,
            *tickets_routes.ROUTES,
            *inspections_routes.ROUTES,
            *reports_routes.ROUTES,
            *portal_routes.ROUTES,
            *console_routes.ROUTES,
            admin,
            create_static_files_router(path="/static", directories=[PROJECT_ROOT / "static"]),
        ],
        lifespan=[database_lifespan, mail_sender_lifespan],
        on_startup=[declare_problems_on_startup],
        middleware=[
            SessionAuthMiddleware(),
            language_middleware,
            ApiCrossSiteGuard(),
            RateLimitConfig(
                rate_limit=("minute", settings.requests_per_minute),
                # Anchored: Litestar matches an exclusion anywhere in the path.
                exclude=[r"^/health$", r"^/static/", r"^/admin(/|$)"],
            ).middleware,
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            # Piccolo Admin's own CSRF cookie is called "csrftoken": keep ours apart.
            cookie_name="site_csrf",
            header_name="x-site-csrf",
            cookie_secure=settings.secure_cookies,
            # Feeds are fetched by calendar apps, not forms: no cookie on their cacheable replies.
            # The API has its own guard (ApiCrossSiteGuard), the admin its own token. Anchored at
            # the start: Litestar searches anywhere in the path, and every other write needs one.
            exclude=[
                r"^/admin(/|$)",
                r"^/api/",
                r"^/health$",
                r"^/schema(/|$)",
                r"^/calendar\.ics$",
                r"^/calendar/[a-z-]+/[^/]+\.ics$",
                r"^/fairs/[^/]+\.ics$",
            ],
        ),
        stores=build_stores(settings.redis_url),
        before_send=[bump_on_write, security_headers],
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=TemplateConfig(
            directory=PROJECT_ROOT / "templates",
            engine=JinjaTemplateEngine,
            engine_callback=configure_templates,
        ),
        openapi_config=OpenAPIConfig(
            title="Phiên chợ hàng Việt — API",
            version="1.0.0",
            description="Fairs of Vietnamese goods in the wards and communes of Ho Chi Minh City.",
            path="/schema",
            # Served from /static like every other asset: the docs need no network but the app's.
            render_plugins=[
                SwaggerRenderPlugin(
                    js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
                    css_url=f"{SWAGGER_UI}/swagger-ui.css",
                    standalone_preset_js_url=f"{SWAGGER_UI}/swagger-ui-standalone-preset.js",
                    favicon="",
                )
            ],
        ),
        request_max_body_size=10 * 1024 * 1024,
    )


app = create_app()
