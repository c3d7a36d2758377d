"""A business's personal data under Law 91/2025/QH15: consent to the notice, export of
everything kept about it, erasure, and who sees a household owner's personal ID."""

from __future__ import annotations

import io
import json
import unicodedata
import zipfile
from typing import Any

import anyio
import msgspec

from core.accounts import Principal, User
from core.database import write_txn
from core.errors import AppError
from core.privacy import NOTICE_VERSION, mask_personal_id
from core.roles import Right
from core.signals import announce, collect, erasure_requested, personal_data_wanted
from core.tables import Account, SignInEvent
from core.timezone import now_utc, today_local
from vendors.tables import (
    Business,
    BusinessKind,
    BusinessStatusChange,
    Document,
    PersonalIdView,
)

NO_CONSENT = (
    "Hãy đọc và đồng ý với Thông báo xử lý dữ liệu cá nhân (trang Doanh nghiệp của tôi) "
    "trước khi đăng ký gian hàng.",
    "Read and accept the personal data notice (on My business) before applying for a stall.",
)


async def has_consented(account_id: int) -> bool:
    row = (
        await Account.select(Account.consent_version).where(Account.id == account_id).first().run()
    )
    return bool(row) and row["consent_version"] == NOTICE_VERSION


async def ensure_consented(account_id: int) -> None:
    """Refuses, with what to do, an account that has not agreed to the current notice."""
    if not await has_consented(account_id):
        raise AppError(403, *NO_CONSENT, extra={"reason": "consent_missing"})


async def record_consent(account_id: int, version: str) -> None:
    if version != NOTICE_VERSION:
        raise AppError(
            422,
            f"Hãy đồng ý với phiên bản hiện hành ({NOTICE_VERSION}) của thông báo.",
            f"Agree to the current version ({NOTICE_VERSION}) of the notice.",
            extra={"field": "consent_version"},
        )
    async with write_txn(Account._meta.db):
        await (
            Account.update({Account.consent_version: version, Account.consent_at: now_utc()})
            .where(Account.id == account_id)
            .run()
        )


# Personal IDs -------------------------------------------------------------------------------


def sees_personal_id(business: dict[str, Any], viewer: Principal | None) -> bool:
    """The business itself, and officers who vet its ward, see the full number."""
    if viewer is None:
        return False
    if viewer.can(Right.ACT_AS_BUSINESS):
        return business.get("account") == viewer.account_id
    return viewer.can(Right.VET_BUSINESSES) and viewer.acts_for_ward(business.get("ward"))


def display_tax_code(business: dict[str, Any], viewer: Principal | None) -> str:
    """The tax code as this viewer may see it: a household's (a person's CCCD) is masked for
    everyone but its owner and the vetting officers of its ward. Rows need kind, tax_code,
    account and ward."""
    code = business["tax_code"]
    if business.get("kind") != BusinessKind.HOUSEHOLD.value or sees_personal_id(business, viewer):
        return code
    return mask_personal_id(code)


async def reveal_tax_code(business_id: int, viewer: Principal) -> str:
    """For one business's page: the tax code as the viewer may see it, and an officer's look
    at a personal ID written down."""
    row = (
        await Business.select(Business.kind, Business.tax_code, Business.account, Business.ward)
        .where(Business.id == business_id)
        .first()
        .run()
    )
    if row is None:
        raise AppError(404, "Không tìm thấy doanh nghiệp.", "No such business.")
    shown = display_tax_code(row, viewer)
    if (
        row["kind"] == BusinessKind.HOUSEHOLD.value
        and shown == row["tax_code"]
        and row["account"] != viewer.account_id
    ):
        async with write_txn(PersonalIdView._meta.db):
            await PersonalIdView(business=business_id, viewer=viewer.account_id).save().run()
    return shown


async def personal_id_views(business_id: int) -> list[dict[str, Any]]:
    return (
        await PersonalIdView.select(
            PersonalIdView.created_at, PersonalIdView.viewer.full_name, PersonalIdView.viewer.role
        )
        .where(PersonalIdView.business == business_id)
        .order_by(PersonalIdView.id, ascending=False)
        .run()
    )


# Export ---------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON-ready, with text in NFC so the same name is the same bytes everywhere."""
    value = msgspec.to_builtins(value)
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


async def export_data(principal: Principal) -> tuple[str, bytes]:
    """(file name, ZIP bytes): data.json with everything kept about the business, and its
    uploaded documents under documents/."""
    from vendors import businesses, documents, products

    business_id = await businesses.business_id_for(principal)
    account = (
        await Account.select(
            Account.full_name,
            Account.phone,
            Account.language,
            Account.consent_version,
            Account.consent_at,
            Account.created_at,
        )
        .where(Account.id == principal.account_id)
        .first()
        .run()
    )
    business = await businesses.business_out(business_id)
    # What the other domains keep (applications, passes, findings…): each answers for its own.
    sections: dict[str, Any] = {}
    for answer in await collect(personal_data_wanted, business_id=business_id):
        sections.update(answer)
    sign_ins = await SignInEvent.select(
        SignInEvent.created_at, SignInEvent.address, SignInEvent.user_agent, SignInEvent.method
    ).where(SignInEvent.user == principal.user_id)
    files = await Document.select().where(Document.business == business_id).order_by(Document.id)
    data = _plain(
        {
            "notice_version": NOTICE_VERSION,
            "exported_at": now_utc(),
            "account": {"email": principal.email, **account},
            "business": business,
            "products": await products.list_products(business_id, "vi"),
            **dict(sorted(sections.items())),
            "vetting_history": business.history,
            "sign_ins": sign_ins,
            "documents": [
                {
                    **msgspec.to_builtins(documents.document_out(f)),
                    "file": f"documents/{f['id']}-{f['filename']}",
                }
                for f in files
            ],
        }
    )
    folder = documents.storage_dir()

    def build() -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str)
            )
            for f in files:
                path = folder / f["storage_key"]
                if path.exists():
                    archive.write(path, f"documents/{f['id']}-{f['filename']}")
        return buffer.getvalue()

    content = await anyio.to_thread.run_sync(build)
    name = f"du-lieu-{business.tax_code}-{today_local().isoformat()}.zip"
    return name, content


# Erasure --------------------------------------------------------------------------------------


async def erase(principal: Principal, password: str) -> None:
    """Remove the person from the business's records. What the city must keep (legal name and
    tax code in reports, passes, findings and vetting history) stays, tied to no person."""
    from piccolo_api.session_auth.tables import SessionsBase

    from vendors import businesses, documents

    if await User.login(principal.email, password) != principal.user_id:
        raise AppError(
            403,
            "Mật khẩu không đúng.",
            "The password is wrong.",
            extra={"field": "password"},
        )
    business_id = await businesses.business_id_for(principal)
    # A domain that must keep the data for now (applications to coming fairs) refuses here.
    await announce(erasure_requested, business_id=business_id)
    files = await Document.select(Document.storage_key).where(Document.business == business_id)
    status = await Business.select(Business.status).where(Business.id == business_id).first()
    erased_email = f"erased-{principal.account_id}@invalid"
    async with write_txn(Business._meta.db):
        await (
            User.update(
                {
                    User.username: erased_email,
                    User.email: erased_email,
                    User.first_name: "",
                    User.last_name: "",
                    User.active: False,
                }
            )
            .where(User.id == principal.user_id)
            .run()
        )
        # A plain UPDATE: the User class would hash the marker as if it were a password.
        await User.raw(
            "UPDATE piccolo_user SET password = {} WHERE id = {}", "!erased", principal.user_id
        ).run()
        await (
            Account.update({Account.full_name: "", Account.phone: "", Account.consent_version: ""})
            .where(Account.id == principal.account_id)
            .run()
        )
        await SessionsBase.delete().where(SessionsBase.user_id == principal.user_id).run()
        await SignInEvent.delete().where(SignInEvent.user == principal.user_id).run()
        await (
            Business.update(
                {
                    Business.email: "",
                    Business.phone: "",
                    Business.representative: "",
                    Business.calendar_token: None,
                }
            )
            .where(Business.id == business_id)
            .run()
        )
        await Document.delete().where(Document.business == business_id).run()
        await (
            BusinessStatusChange(
                business=business_id,
                action="erased",
                from_status=status["status"],
                to_status=status["status"],
                reason="Xóa dữ liệu cá nhân theo yêu cầu (Luật 91/2025/QH15). "
                "Personal data erased on request.",
            )
            .save()
            .run()
        )
    folder = documents.storage_dir()
    for f in files:
        (folder / f["storage_key"]).unlink(missing_ok=True)
