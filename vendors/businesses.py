"""Business registration, profile and search: queries and rules, no HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request

from core import mail
from core.accounts import (
    EmailInUse,
    Principal,
    User,
    create_account,
    hash_off_loop,
    normalize_email,
)
from core.auth import client_address, throttled
from core.database import is_unique_violation, write_txn
from core.email_confirmation import send_confirmation
from core.errors import AppError
from core.guards import scoped_by_ward
from core.privacy import NOTICE_VERSION
from core.roles import Role
from core.settings import get_settings
from core.tables import Account, OutboxEmail, Ward
from core.text import clean, fold, name_key, vi_sort_key
from vendors import revetting
from vendors.identifiers import display_phone, normalize_phone, normalize_tax_code
from vendors.personal_data import display_tax_code
from vendors.schemas import (
    BusinessOut,
    BusinessPatch,
    BusinessSignUp,
    BusinessSummary,
    CategoryOut,
    StatusChangeOut,
)
from vendors.tables import Business, BusinessCategory, BusinessStatusChange, Category


def search_key(legal_name: str, trade_name: str, tax_code: str, representative: str) -> str:
    return fold(" ".join((legal_name, trade_name, tax_code, representative)))


def category_out(row: dict[str, Any], language: str = "vi") -> CategoryOut:
    return CategoryOut(
        slug=row["slug"],
        name=row["name_en"] if language == "en" else row["name_vi"],
        name_vi=row["name_vi"],
        name_en=row["name_en"],
        is_food=row["is_food"],
    )


async def list_categories(language: str = "vi") -> list[CategoryOut]:
    rows = await Category.select().order_by(Category.position).run()
    return [category_out(r, language) for r in rows]


async def _category_ids(slugs: list[str]) -> list[int]:
    if not slugs:
        raise AppError(
            422,
            "Hãy chọn ít nhất một ngành hàng.",
            "Choose at least one goods category.",
            extra={"field": "category_slugs"},
        )
    rows = (
        await Category.select(Category.id, Category.slug)
        .where(Category.slug.is_in(list(set(slugs))))
        .run()
    )
    missing = set(slugs) - {r["slug"] for r in rows}
    if missing:
        raise AppError(
            422,
            f"Không có ngành hàng: {', '.join(sorted(missing))}.",
            f"No such goods category: {', '.join(sorted(missing))}.",
            extra={"field": "category_slugs"},
        )
    return [r["id"] for r in rows]


async def _ward(slug: str, field: str) -> int:
    row = await Ward.select(Ward.id).where(Ward.slug == slug).first().run()
    if not row:
        raise AppError(
            422, f"Không có phường “{slug}”.", f"There is no ward “{slug}”.", extra={"field": field}
        )
    return row["id"]


async def _refuse_duplicates(tax_code: str, key: str, except_id: int | None = None) -> None:
    same_code = Business.select(Business.id).where(Business.tax_code == tax_code)
    same_name = Business.select(Business.id).where(Business.name_key == key)
    if except_id is not None:
        same_code = same_code.where(Business.id != except_id)
        same_name = same_name.where(Business.id != except_id)
    if await same_code.first().run():
        raise AppError(
            409,
            f"Mã số thuế {tax_code} đã được đăng ký. Nếu đây là doanh nghiệp của bạn, "
            "hãy đăng nhập hoặc liên hệ ban tổ chức.",
            f"Tax code {tax_code} is already registered. If this is your business, sign in "
            "or contact the organizers.",
            extra={"field": "tax_code"},
        )
    if await same_name.first().run():
        raise AppError(
            409,
            "Đã có doanh nghiệp đăng ký với tên này.",
            "A business with this name is already registered.",
            extra={"field": "legal_name"},
        )


# Sign-ups from one client address in an hour: enough for a ward office signing up its
# households from one connection, too few to probe which e-mails have an account.
SIGNUPS_PER_ADDRESS = 20
SIGNUP_WINDOW_SECONDS = 3600


async def throttle_sign_up(request: Request[Any, Any, Any]) -> None:
    """Counts a sign-up from the request's client address; 429 past the hour's allowance."""
    await throttled(
        request, "signup", client_address(request), SIGNUPS_PER_ADDRESS, SIGNUP_WINDOW_SECONDS
    )


# Mails telling an account's owner of a sign-up with their address, at most, per hour.
EXISTING_ACCOUNT_NOTICES = 3
ALREADY_HAS_ACCOUNT = {
    "vi": "Chúng tôi đã gửi thư đến địa chỉ email này; hãy làm theo hướng dẫn trong thư. "
    "Nếu không nhận được, hãy đăng nhập hoặc đặt lại mật khẩu.",
    "en": "We have sent a mail to this e-mail address: follow what it says. If it does not "
    "arrive, sign in or reset your password.",
}


async def _existing_account(data: BusinessSignUp) -> None:
    """A sign-up with an address that has an account: no new account, a mail to the owner,
    and as much hashing as a real sign-up, so neither the answer nor its time tells."""
    await hash_off_loop(data.password)
    email = normalize_email(data.email)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    recent = await OutboxEmail.count().where(
        OutboxEmail.recipient == email,
        OutboxEmail.kind == "signup_existing_account",
        OutboxEmail.created_at > since,
    )
    owner = (
        await Account.select(Account.full_name, Account.language)
        .where(Account.user.username == email)
        .first()
        .run()
    )
    if owner is None or recent >= EXISTING_ACCOUNT_NOTICES:
        return
    await mail.enqueue(
        email,
        "signup_existing_account",
        {"name": owner["full_name"], "public_url": get_settings().public_url},
        owner["language"],
    )


async def sign_up(data: BusinessSignUp) -> BusinessOut | None:
    """The new business, or None when the address already has an account (see
    _existing_account): the caller answers that without saying so."""
    if data.consent_version and data.consent_version != NOTICE_VERSION:
        raise AppError(
            422,
            f"Thông báo xử lý dữ liệu cá nhân hiện hành là phiên bản {NOTICE_VERSION}: "
            "hãy đọc và đồng ý phiên bản này.",
            f"The current personal data notice is version {NOTICE_VERSION}: read and agree "
            "to that one.",
            extra={"field": "consent_version"},
        )
    tax_code = normalize_tax_code(data.kind.value, data.tax_code)
    phone = normalize_phone(data.phone)
    legal_name = clean(data.legal_name)
    key = name_key(legal_name)
    ward = await _ward(data.ward_slug, "ward_slug")
    club = await _ward(data.club_ward_slug, "club_ward_slug") if data.club_ward_slug else None
    category_ids = await _category_ids(data.category_slugs)
    await _refuse_duplicates(tax_code, key)
    representative = clean(data.representative)
    trade_name = clean(data.trade_name)
    try:
        business_id = await _insert_business(
            data,
            legal_name,
            key,
            tax_code,
            phone,
            ward,
            club,
            representative,
            trade_name,
            category_ids,
        )
    except EmailInUse:
        await _existing_account(data)
        return None
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        await _refuse_duplicates(tax_code, key)  # names the field that lost the race
        if await User.exists().where(User.username == normalize_email(data.email)).run():
            await _existing_account(data)
            return None
        raise AppError(
            409, "Doanh nghiệp này đã được đăng ký.", "This business is already registered."
        ) from exc
    return await business_out(business_id)


async def _insert_business(
    data: BusinessSignUp,
    legal_name: str,
    key: str,
    tax_code: str,
    phone: str,
    ward: int,
    club: int | None,
    representative: str,
    trade_name: str,
    category_ids: list[int],
) -> int:
    async with write_txn(Business._meta.db):
        principal = await create_account(
            email=data.email,
            password=data.password,
            role=Role.BUSINESS,
            full_name=representative or legal_name,
            phone=phone,
            language=data.language,
            email_confirmed=False,
            consent_version=data.consent_version if data.consent_version == NOTICE_VERSION else "",
        )
        # In the same transaction: no account without its confirmation mail, nor the reverse.
        await send_confirmation(
            principal.user_id, principal.email, principal.full_name, principal.language
        )
        business = Business(
            account=principal.account_id,
            legal_name=legal_name,
            trade_name=trade_name,
            name_key=key,
            search_key=search_key(legal_name, trade_name, tax_code, representative),
            kind=data.kind.value,
            tax_code=tax_code,
            representative=representative,
            phone=phone,
            email=principal.email,
            address=clean(data.address),
            ward=ward,
            club_ward=club,
        )
        await business.save().run()
        for category_id in category_ids:
            await BusinessCategory(business=business.id, category=category_id).save().run()
    return business.id


async def business_id_for(principal: Principal) -> int:
    row = (
        await Business.select(Business.id)
        .where(Business.account == principal.account_id)
        .first()
        .run()
    )
    if not row:
        raise AppError(
            404,
            "Tài khoản này chưa có hồ sơ doanh nghiệp.",
            "This account has no business profile.",
        )
    return row["id"]


async def business_ward(business_id: int) -> int:
    row = await Business.select(Business.ward).where(Business.id == business_id).first().run()
    if not row:
        raise AppError(404, "Không tìm thấy doanh nghiệp.", "No such business.")
    return row["ward"]


async def business_out(business_id: int, language: str = "vi") -> BusinessOut:
    row = (
        await Business.select(
            Business.all_columns(),
            Business.ward.slug,
            Business.ward.name,
            Business.club_ward.slug,
        )
        .where(Business.id == business_id)
        .first()
        .run()
    )
    if not row:
        raise AppError(404, "Không tìm thấy doanh nghiệp.", "No such business.")
    categories = (
        await Category.select()
        .where(
            Category.id.is_in(
                BusinessCategory.select(BusinessCategory.category).where(
                    BusinessCategory.business == business_id
                )
            )
        )
        .order_by(Category.position)
        .run()
    )
    history = (
        await BusinessStatusChange.select(
            BusinessStatusChange.all_columns(), BusinessStatusChange.by_account.full_name
        )
        .where(BusinessStatusChange.business == business_id)
        .order_by(BusinessStatusChange.id)
        .run()
    )
    return BusinessOut(
        id=row["id"],
        email=row["email"],
        legal_name=row["legal_name"],
        trade_name=row["trade_name"],
        kind=row["kind"],
        tax_code=row["tax_code"],
        representative=row["representative"],
        phone=display_phone(row["phone"]),
        address=row["address"],
        ward_slug=row["ward.slug"],
        ward_name=row["ward.name"],
        club_ward_slug=row["club_ward.slug"],
        status=row["status"],
        categories=[category_out(c, language) for c in categories],
        warnings=sum(1 for h in history if h["action"] == "warn"),
        history=[
            StatusChangeOut(
                action=h["action"],
                from_status=h["from_status"],
                to_status=h["to_status"],
                reason=h["reason"],
                by=h["by_account.full_name"],
                at=h["at"],
                changes=revetting.changes_out(h["changes"]),
            )
            for h in history
        ],
    )


async def update_business(
    business_id: int, data: BusinessPatch, by_account: int | None = None
) -> None:
    """Save the business's own changes; a change to what vetting checked is re-vetted."""
    business = await Business.objects().where(Business.id == business_id).first().run()
    if business is None:
        raise AppError(404, "Không tìm thấy doanh nghiệp.", "No such business.")
    old_ward = await Ward.select(Ward.slug).where(Ward.id == business.ward).first().run()
    old_categories = [
        r["category.slug"]
        for r in await BusinessCategory.select(BusinessCategory.category.slug)
        .where(BusinessCategory.business == business_id)
        .run()
    ]
    before = revetting.vetted_values(business, old_ward["slug"], old_categories)
    if data.legal_name is not None:
        business.legal_name = clean(data.legal_name)
        business.name_key = name_key(business.legal_name)
        await _refuse_duplicates(business.tax_code, business.name_key, except_id=business_id)
    for field in ("trade_name", "representative", "address"):
        value = getattr(data, field)
        if value is not None:
            setattr(business, field, clean(value))
    if data.phone is not None:
        business.phone = normalize_phone(data.phone)
    if data.ward_slug is not None:
        business.ward = await _ward(data.ward_slug, "ward_slug")
    if data.club_ward_slug is not None:
        business.club_ward = (
            await _ward(data.club_ward_slug, "club_ward_slug") if data.club_ward_slug else None
        )
    business.search_key = search_key(
        business.legal_name, business.trade_name, business.tax_code, business.representative
    )
    category_ids = (
        await _category_ids(data.category_slugs) if data.category_slugs is not None else None
    )
    after = revetting.vetted_values(
        business,
        data.ward_slug if data.ward_slug is not None else before["ward_slug"],
        data.category_slugs if data.category_slugs is not None else old_categories,
    )
    async with write_txn(Business._meta.db):
        # Not the status: the one below, or an officer's decision, is the only writer of it.
        await business.save(
            columns=[
                Business.legal_name,
                Business.name_key,
                Business.trade_name,
                Business.representative,
                Business.address,
                Business.phone,
                Business.ward,
                Business.club_ward,
                Business.search_key,
            ]
        ).run()
        if category_ids is not None:
            await BusinessCategory.delete().where(BusinessCategory.business == business_id).run()
            for category_id in category_ids:
                await BusinessCategory(business=business_id, category=category_id).save().run()
        await revetting.record(business_id, revetting.differences(before, after), by_account)


async def search_businesses(
    principal: Principal,
    q: str | None,
    ward: str | None,
    category: str | None,
    status: str | None,
) -> list[BusinessSummary]:
    query = Business.select(
        Business.id,
        Business.legal_name,
        Business.trade_name,
        Business.kind,
        Business.tax_code,
        Business.account,
        Business.status,
        Business.ward,
        Business.ward.slug,
        Business.ward.name,
    )
    if q and q.strip():
        for word in fold(q).split():
            query = query.where(Business.search_key.like(f"%{word}%"))
    if ward:
        query = query.where(Business.ward.slug == ward)
    if status:
        query = query.where(Business.status == status)
    if category:
        query = query.where(
            Business.id.is_in(
                BusinessCategory.select(BusinessCategory.business).where(
                    BusinessCategory.category.slug == category
                )
            )
        )
    rows = await scoped_by_ward(query, principal, Business.ward).run()
    links = (
        await BusinessCategory.select(BusinessCategory.business, BusinessCategory.category.slug)
        .where(BusinessCategory.business.is_in([r["id"] for r in rows] or [0]))
        .run()
    )
    categories: dict[int, list[str]] = {}
    for link in links:
        categories.setdefault(link["business"], []).append(link["category.slug"])
    rows.sort(key=lambda r: vi_sort_key(r["legal_name"]))
    return [
        BusinessSummary(
            id=r["id"],
            legal_name=r["legal_name"],
            trade_name=r["trade_name"],
            kind=r["kind"],
            # Lists never log a look, so they show a personal ID masked even to officers.
            tax_code=display_tax_code(r, None),
            ward_slug=r["ward.slug"],
            ward_name=r["ward.name"],
            status=r["status"],
            categories=sorted(categories.get(r["id"], [])),
        )
        for r in rows
    ]


async def calendar_token(business_id: int, *, reset: bool = False) -> str:
    """The business's private feed token, made on first use; a reset makes old links 404."""
    import secrets

    row = (
        await Business.select(Business.calendar_token)
        .where(Business.id == business_id)
        .first()
        .run()
    )
    if row and row["calendar_token"] and not reset:
        return row["calendar_token"]
    token = secrets.token_urlsafe(24)
    async with write_txn(Business._meta.db):
        await (
            Business.update({Business.calendar_token: token})
            .where(Business.id == business_id)
            .run()
        )
    return token
