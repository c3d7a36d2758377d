"""/console/accounts: organizers list staff accounts, invite one, and change a role, wards or
active state, each change kept in the account's history (core.staff_accounts)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from console.common import message_of, render
from core import staff_accounts
from core.account_history import history_of
from core.errors import AppError, request_language
from core.guards import current_principal, requires
from core.pages import GENERAL, form_errors, form_values
from core.roles import ROLE_LABELS, WARD_SCOPED_ROLES, Right, Role
from core.tables import Ward

LANGUAGE_LABELS = {"vi": ("Tiếng Việt", "Vietnamese"), "en": ("Tiếng Anh", "English")}
# How the history names what changed.
FIELD_LABELS = {
    "email": ("Email", "E-mail"),
    "full_name": ("Họ tên", "Name"),
    "role": ("Vai trò", "Role"),
    "ward_slugs": ("Phường", "Wards"),
    "active": ("Trạng thái", "Status"),
    "invitation": ("Lời mời", "Invitation"),
}
VALUE_LABELS = {
    "sent": ("đã gửi", "sent"),
    "accepted": ("đã nhận, mật khẩu đã đặt", "accepted, password set"),
    True: ("đang hoạt động", "active"),
    False: ("đã khóa", "deactivated"),
}
DONE = {
    "invited": ("Đã tạo tài khoản và gửi lời mời.", "The account is created and invited."),
    "resent": ("Đã gửi lại lời mời.", "The invitation was sent again."),
    "changed": ("Đã lưu thay đổi.", "The change is saved."),
}


def _as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


async def _wards() -> list[dict[str, Any]]:
    return await Ward.select(Ward.slug, Ward.name).order_by(Ward.name).run()


def _role_options(lang: str) -> list[tuple[str, str]]:
    return [
        (r.value, ROLE_LABELS[r][1] if lang == "en" else ROLE_LABELS[r][0])
        for r in staff_accounts.STAFF_ROLES
    ]


def describe(change: dict[str, list[Any]], wards: dict[str, str], lang: str) -> list[dict]:
    """The history's {field: [old, new]} as label, old and new texts of the page's language."""
    pick = 1 if lang == "en" else 0

    def text(field: str, value: Any) -> str:
        if value is None or value == []:
            return "—"
        if field == "role" and value in {r.value for r in Role}:
            return ROLE_LABELS[Role(value)][pick]
        if field == "ward_slugs":
            return ", ".join(wards.get(s, s) for s in value)
        if isinstance(value, bool) or value in VALUE_LABELS:
            return VALUE_LABELS.get(value, (str(value), str(value)))[pick]
        return str(value)

    order = list(FIELD_LABELS)
    return [
        {
            "label": FIELD_LABELS.get(field, (field, field))[pick],
            "old": text(field, old),
            "new": text(field, new),
        }
        for field, (old, new) in sorted(
            change.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
        )
    ]


class ConsoleAccountsController(Controller):
    include_in_schema = False
    guards = [requires(Right.MANAGE_ACCOUNTS)]

    @get("/console/accounts")
    async def list_page(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return await self._list(request, values={"language": "vi", "role": "ward_officer"})

    async def _list(
        self,
        request: Request[Any, Any, Any],
        *,
        status: int = 200,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
    ) -> Response[Any]:
        lang = request_language(request)
        return render(
            request,
            "accounts.html",
            status=status,
            accounts=await staff_accounts.staff_accounts(),
            role_labels={r.value: pair for r, pair in ROLE_LABELS.items()},
            role_options=_role_options(lang),
            language_options=[
                (k, v[1] if lang == "en" else v[0]) for k, v in LANGUAGE_LABELS.items()
            ],
            wards=await _wards(),
            values=values,
            chosen_wards=_as_list(values.get("ward_slugs")),
            errors=errors or {},
        )

    @post("/console/accounts", status_code=303)
    async def create(self, request: Request[Any, Any, Any]) -> Response[Any]:
        values = await form_values(request)
        try:
            role = staff_accounts.staff_role(str(values.get("role", "")))
            principal = await staff_accounts.invite_staff(
                current_principal(request),
                email=str(values.get("email", "")),
                full_name=str(values.get("full_name", "")),
                role=role,
                language=str(values.get("language", "vi")),
                ward_slugs=_as_list(values.get("ward_slugs")),
            )
        except AppError as exc:
            if exc.status_code not in (409, 422):
                raise
            return await self._list(
                request, status=exc.status_code, values=values, errors=form_errors(exc)
            )
        return Redirect(f"/console/accounts/{principal.account_id}?done=invited", status_code=303)

    @get("/console/accounts/{account_id:int}")
    async def detail(
        self, request: Request[Any, Any, Any], account_id: FromPath[int]
    ) -> Response[Any]:
        return await self._detail(request, account_id)

    async def _detail(
        self,
        request: Request[Any, Any, Any],
        account_id: int,
        *,
        status: int = 200,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        failed: str = "",
    ) -> Response[Any]:
        lang = request_language(request)
        account = await staff_accounts.staff_account(account_id)
        wards = await _wards()
        names = {w["slug"]: w["name"] for w in wards}
        history = [
            {**h, "lines": describe(h["changes"], names, lang)}
            for h in await history_of(account_id)
        ]
        done = DONE.get(request.query_params.get("done", ""))
        chosen = (
            _as_list((values or {}).get("ward_slugs"))
            if failed == "access"
            else account["ward_slugs"]
        )
        return render(
            request,
            "account.html",
            status=status,
            account=account,
            role_labels={r.value: pair for r, pair in ROLE_LABELS.items()},
            role_options=_role_options(lang),
            wards=wards,
            chosen_wards=chosen,
            values=values if failed == "access" else {"role": account["role"].value},
            errors=errors or {},
            failed=failed,
            history=history,
            own=current_principal(request).account_id == account_id,
            notice=done[1] if done and lang == "en" else done[0] if done else "",
        )

    async def _act(
        self, request: Request[Any, Any, Any], account_id: int, form: str, action: Any
    ) -> Response[Any]:
        values = await form_values(request)
        try:
            done = await action(values)
        except AppError as exc:
            if exc.status_code not in (403, 409, 422):
                raise
            errors = form_errors(exc)
            if exc.status_code in (403, 409):
                errors = {GENERAL: message_of(exc, request_language(request))}
            return await self._detail(
                request,
                account_id,
                status=exc.status_code,
                values=values,
                errors=errors,
                failed=form,
            )
        return Redirect(f"/console/accounts/{account_id}?done={done}", status_code=303)

    @post("/console/accounts/{account_id:int}/access", status_code=303)
    async def change_access(
        self, request: Request[Any, Any, Any], account_id: FromPath[int]
    ) -> Response[Any]:
        async def change(values: dict[str, Any]) -> str:
            role = staff_accounts.staff_role(str(values.get("role", "")))
            # The form hides the wards for other roles: what stays ticked there is not meant.
            wards = _as_list(values.get("ward_slugs")) if role in WARD_SCOPED_ROLES else []
            await staff_accounts.change_staff(
                current_principal(request), account_id, role=role, ward_slugs=wards
            )
            return "changed"

        return await self._act(request, account_id, "access", change)

    @post("/console/accounts/{account_id:int}/active", status_code=303)
    async def change_active(
        self, request: Request[Any, Any, Any], account_id: FromPath[int]
    ) -> Response[Any]:
        async def change(values: dict[str, Any]) -> str:
            active = str(values.get("active", "")) in {"1", "true", "on"}
            await staff_accounts.change_staff(current_principal(request), account_id, active=active)
            return "changed"

        return await self._act(request, account_id, "active", change)

    @post("/console/accounts/{account_id:int}/invitation", status_code=303)
    async def resend(
        self, request: Request[Any, Any, Any], account_id: FromPath[int]
    ) -> Response[Any]:
        async def send(_: dict[str, Any]) -> str:
            await staff_accounts.resend_invitation(current_principal(request), account_id)
            return "resent"

        return await self._act(request, account_id, "invitation", send)
