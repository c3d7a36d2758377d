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


def ensure_body(principal: Principal, organizer_id: int | None) -> None:
    """A body's staff act only on their own body's sites and fairs; call where the body is
    known (a site's `organizer`)."""
    if not principal.acts_for_body(organizer_id):
        raise AppError(
            403,
            "Bạn chỉ được làm việc với địa điểm và phiên chợ của đơn vị mình.",
            "You may only act on the sites and fairs of your own organizing body.",
        )


def within_scope(principal: Principal, body_column: Any) -> Any:
    """The one SQL filter of a list by body (`body_column`: a site's `organizer`, through any
    join): None for the city's staff, who see every body's rows."""
    if principal.city_wide:
        return None
    # is_in needs a value: no row has a negative id, so staff of no body see nothing.
    return body_column.is_in(sorted(principal.organizer_ids) or [-1])


def scoped(query: Any, principal: Principal, body_column: Any) -> Any:
    """`query` limited to what the principal may see (see within_scope)."""
    clause = within_scope(principal, body_column)
    return query if clause is None else query.where(clause)


def scoped_by_ward(query: Any, principal: Principal, ward_column: Any) -> Any:
    """`query` limited to the wards the principal acts for (businesses are their ward's body's
    to vet): the city's staff see every ward."""
    if principal.city_wide:
        return query
    return query.where(ward_column.is_in(sorted(principal.ward_ids) or [-1]))
