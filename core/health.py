"""GET /health: is the app up, and can it reach its database?"""

from __future__ import annotations

from litestar import Response, get

from core.database import database_kind
from core.tables import Ward


@get("/health", tags=["system"], summary="Liveness and database reachability")
async def health() -> Response[dict[str, str]]:
    engine = Ward._meta.db
    kind = database_kind(engine)
    try:
        await Ward.raw("SELECT 1").run()
    except Exception:  # any driver error means the database is unreachable
        return Response(
            {
                "status": "unavailable",
                "database": kind,
                "detail": "Không kết nối được cơ sở dữ liệu. / The database cannot be reached.",
            },
            status_code=503,
        )
    return Response({"status": "ok", "database": kind})
