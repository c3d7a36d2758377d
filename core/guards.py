"""Guards: every endpoint asks for a right (core.roles), and these check it the same way."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.errors import AppError
from core.roles import Right

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler
    from litestar.types import Guard

    from core.accounts import Principal


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = connection.scope.get("user")
    if principal is None:
        raise AppError(401, "Bạn cần đăng nhập.", "You need to sign in.")
    return principal


def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    current_principal(connection)


def requires(right: Right) -> Guard:
    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not current_principal(connection).can(right):
            raise AppError(
                403,
                "Tài khoản của bạn không có quyền làm việc này.",
                "Your account is not allowed to do this.",
            )

    guard.__name__ = f"requires_{right.value}"
    return guard


def ensure_ward(principal: Principal, ward_id: int | None) -> None:
    """Ward officers act only for their own wards; call where the ward is known."""
    if not principal.acts_for_ward(ward_id):
        raise AppError(
            403,
            "Bạn chỉ được làm việc với các phường mình phụ trách.",
            "You may only act for the wards assigned to you.",
        )
