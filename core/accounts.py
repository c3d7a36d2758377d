"""Accounts: Piccolo's user table with argon2 hashing, plus the role profile of core.tables."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from piccolo.apps.user.tables import BaseUser

from core.database import write_txn
from core.errors import AppError
from core.privacy import NOTICE_VERSION
from core.roles import CITY_RIGHTS, RIGHTS, WARD_SCOPED_ROLES, Right, Role
from core.tables import Account, AccountWard, Organizer, Ward
from core.text import clean

logger = logging.getLogger(__name__)

# OWASP's argon2id setting (19 MiB, 2 passes, 1 lane) rather than the library's 64 MiB and 4
# lanes: as strong a defence for this site, at a quarter of the memory and CPU per sign-in, so a
# morning of sign-ins does not crowd out the gate. Older hashes are redone at the next sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# At most two hashes at once per worker, always on the same two threads. Each hash takes 19 MiB,
# and glibc keeps it, once freed, in the arena of the thread that made it: on the shared pool of
# worker threads every thread that ever hashed kept 19 MiB (378 MB a worker after a burst of
# sign-ins, against 155 MB with these two).
_hashing = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2")


async def _off_loop(work: Any, *args: Any) -> Any:
    """Tens of milliseconds of CPU on purpose: off the event loop (argon2 releases the GIL), so
    a burst of sign-ins does not stall the check-ins served by the same worker."""
    return await asyncio.get_running_loop().run_in_executor(_hashing, work, *args)


async def hash_off_loop(password: str) -> str:
    """The argon2 hash, made like a sign-in's check: a sign-up costs as much CPU."""
    return await _off_loop(User.hash_password, password)


ARGON2_PREFIX = "$argon2"
# Stored in place of a hash until an invited person sets a password: argon2 rejects it as a hash,
# so no password signs in, and it tells "never set" apart from any real hash.
UNUSABLE_PASSWORD = "!invited"  # noqa: S105  (a marker, not a password)
MIN_PASSWORD_LENGTH = 8
# A valid argon2 hash of a random password: verified against when the e-mail is unknown,
# so a wrong e-mail costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0d1f")


class User(BaseUser, tablename="piccolo_user"):
    """Piccolo's user row, hashed with argon2 (Piccolo Admin logs in through this class too)."""

    _min_password_length = MIN_PASSWORD_LENGTH

    def __init__(self, **kwargs: Any) -> None:
        password = kwargs.get("password")
        if password and not password.startswith(ARGON2_PREFIX):
            kwargs["password"] = self.__class__.hash_password(password)
        # BaseUser.__init__ would re-hash anything not prefixed with pbkdf2: skip it.
        super(BaseUser, self).__init__(**kwargs)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "password" and value and not value.startswith(ARGON2_PREFIX):
            value = self.__class__.hash_password(value)
        super(BaseUser, self).__setattr__(name, value)

    @classmethod
    def hash_password(cls, password: str, salt: str = "", iterations: int | None = None) -> str:
        if len(password) > cls._max_password_length:
            raise ValueError("The password is too long.")
        return _hasher.hash(password)

    @classmethod
    def _validate_password(cls, password: str) -> None:
        if password.startswith(ARGON2_PREFIX):
            raise ValueError("Do not pass a hashed password.")
        super()._validate_password(password)

    @classmethod
    async def login(cls, username: str, password: str) -> int | None:
        """The user id when the password matches an active account, else None."""
        if len(username) > 255 or len(password) > cls._max_password_length:
            return None
        row = (
            await cls.select(cls.id, cls.password, cls.active)
            .where(cls.username == username.strip().lower())
            .first()
            .run()
        )
        stored = row["password"] if row else _DUMMY_HASH
        try:
            await _off_loop(_hasher.verify, stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if not row or not row["active"]:
            return None
        values: dict[Any, Any] = {cls.last_login: dt.datetime.now()}
        if _hasher.check_needs_rehash(stored):
            values[cls.password] = await hash_off_loop(password)
        await cls.update(values).where(cls.id == row["id"]).run()
        return row["id"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: resolved once per request by the auth middleware.

    What a staff member may see and change is decided here and nowhere else: `city_wide` staff
    (the city's steering committee) act everywhere; the staff of a ward's body act on that
    body's sites and fairs (`organizer_ids`) and on the businesses of its ward (`ward_ids`)."""

    user_id: int
    account_id: int
    email: str
    full_name: str
    role: Role
    ward_ids: frozenset[int]
    language: str
    organizer_ids: frozenset[int] = frozenset()
    city_wide: bool = False

    def can(self, right: Right) -> bool:
        if right in CITY_RIGHTS and not self.city_wide:
            return False
        return right in RIGHTS[self.role]

    def acts_for_ward(self, ward_id: int | None) -> bool:
        """The city's staff act for every ward; a body's staff for their own ward's."""
        return self.city_wide or (ward_id is not None and ward_id in self.ward_ids)

    def acts_for_body(self, organizer_id: int | None) -> bool:
        """The city's staff act for every body (and for sites no ward body holds); a body's
        staff for their own body only."""
        return self.city_wide or (organizer_id is not None and organizer_id in self.organizer_ids)


class EmailInUse(AppError):
    """The address already has an account: a public sign-up must not tell the caller so."""


def normalize_email(email: str) -> str:
    return clean(email).lower()


def check_password(password: str) -> None:
    """The rules of every password an account is given: at sign-up, by staff, at a reset."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AppError(
            422,
            f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
            f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
            extra={"field": "password"},
        )
    if len(password) > User._max_password_length:
        raise AppError(
            422,
            f"Mật khẩu dài quá {User._max_password_length} ký tự.",
            f"The password is longer than {User._max_password_length} characters.",
            extra={"field": "password"},
        )


def has_usable_password(stored: str | None) -> bool:
    return bool(stored) and str(stored).startswith(ARGON2_PREFIX)


async def wards_for(ward_slugs: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
    """The wards of the slugs ({id, slug}), or a 422 naming the unknown ones."""
    wards = (
        await Ward.select(Ward.id, Ward.slug).where(Ward.slug.is_in(list(ward_slugs))).run()
        if ward_slugs
        else []
    )
    missing = set(ward_slugs) - {w["slug"] for w in wards}
    if missing:
        raise AppError(
            422,
            f"Không có phường: {', '.join(sorted(missing))}.",
            f"No such ward: {', '.join(sorted(missing))}.",
            extra={"field": "ward_slugs"},
        )
    return wards


async def create_account(
    *,
    email: str,
    password: str | None,
    role: Role,
    full_name: str,
    phone: str = "",
    language: str = "vi",
    ward_slugs: list[str] | tuple[str, ...] = (),
    organizer_slug: str | None = None,
    email_confirmed: bool = True,
    consent_version: str | None = None,
) -> Principal:
    """Create a user and its role profile in one transaction. A public sign-up passes
    email_confirmed=False: its address is confirmed by the link it is mailed. password=None
    gives an account no password signs in to, until one is set with an invitation's link."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 255:
        raise AppError(
            422,
            "Email không hợp lệ.",
            "The e-mail address is not valid.",
            extra={"field": "email"},
        )
    if password is not None:
        check_password(password)
    body = await organizer_for(organizer_slug) if organizer_slug else None
    if role == Role.BUSINESS and body is not None:
        raise AppError(
            422,
            "Doanh nghiệp không thuộc ban tổ chức nào.",
            "A business belongs to no organizing body.",
            extra={"field": "organizer_slug"},
        )
    if role in WARD_SCOPED_ROLES and not ward_slugs and body is None:
        raise AppError(
            422,
            "Cán bộ phường cần được gán ít nhất một phường.",
            "A ward officer must be assigned at least one ward.",
            extra={"field": "ward_slugs"},
        )
    wards = await wards_for(ward_slugs)
    if await User.exists().where(User.username == email).run():
        raise EmailInUse(
            409,
            "Email này đã được dùng cho một tài khoản khác.",
            "This e-mail address is already used by another account.",
            extra={"field": "email"},
        )
    hashed = await hash_off_loop(password if password is not None else secrets.token_urlsafe(32))
    now = dt.datetime.now(dt.UTC)
    async with write_txn(User._meta.db):
        user = User(
            username=email,
            email=email,
            password=hashed,
            first_name=clean(full_name),
            active=True,
            **admin_flags(role, city_wide=body is None or body["ward"] is None),
        )
        await user.save().run()
        if password is None:
            # A plain UPDATE: the User class would hash the marker as if it were a password.
            await User.update({User.password: UNUSABLE_PASSWORD}).where(User.id == user.id).run()
        account = Account(
            user=user.id,
            role=role.value,
            full_name=clean(full_name),
            phone=clean(phone),
            language=language if language in {"vi", "en"} else "vi",
            email_confirmed_at=dt.datetime.now(dt.UTC) if email_confirmed else None,
            # A public sign-up passes what the person agreed to ("" for nothing); accounts made
            # by staff, the CLI or the demo are set up under the current notice.
            consent_version=NOTICE_VERSION if consent_version is None else consent_version,
            consent_at=now if (consent_version is None or consent_version) else None,
            organizer=body["id"] if body else None,
        )
        await account.save().run()
        for ward in wards:
            await AccountWard(account=account.id, ward=ward["id"]).save().run()
    principal = await _principal(
        user.id,
        account.id,
        {
            "role": role.value,
            "email": email,
            "full_name": account.full_name,
            "language": account.language,
            "organizer": body["id"] if body else None,
            "organizer_ward": body["ward"] if body else None,
        },
    )
    return principal


async def organizer_for(slug: str) -> dict[str, Any]:
    """The organizing body of a slug ({id, slug, name, ward}), or a 422."""
    body = (
        await Organizer.select(Organizer.id, Organizer.slug, Organizer.name, Organizer.ward)
        .where(Organizer.slug == slug)
        .first()
        .run()
    )
    if body is None:
        raise AppError(
            422,
            f"Không có ban tổ chức: {slug}.",
            f"No such organizing body: {slug}.",
            extra={"field": "organizer_slug"},
        )
    return body


def admin_flags(role: Role, *, city_wide: bool = True) -> dict[str, bool]:
    """Piccolo Admin's own flags on the user row, always derived from the role and body: the
    admin shows every body's data, so only the city's staff get it."""
    allowed = Right.USE_ADMIN in RIGHTS[role] and city_wide
    return {"admin": allowed, "superuser": allowed}


async def change_account(
    account_id: int,
    *,
    role: Role | None = None,
    active: bool | None = None,
    ward_slugs: list[str] | None = None,
    actor_id: int | None = None,
) -> int | None:
    """Change an account's role, active state and/or wards; the user id, or None if no such
    account. The admin flags follow the role, every session of the account ends at once on a
    role change or deactivation, and what changed is kept in its history (same transaction)."""
    from piccolo_api.session_auth.tables import SessionsBase

    from core.account_history import record_change

    wards = await wards_for(ward_slugs) if ward_slugs is not None else None
    async with write_txn(User._meta.db):
        row = (
            await Account.select(
                Account.user,
                Account.role,
                Account.user.active,
                Account.organizer,
                Account.organizer.ward.as_alias("organizer_ward"),
            )
            .where(Account.id == account_id)
            .first()
            .run()
        )
        if row is None:
            return None
        old_wards = sorted(
            r["ward.slug"]
            for r in await AccountWard.select(AccountWard.ward.slug)
            .where(AccountWard.account == account_id)
            .run()
        )
        new_role = role or Role(row["role"])
        changes: dict[str, list[Any]] = {}
        if new_role.value != row["role"]:
            changes["role"] = [row["role"], new_role.value]
        if active is not None and active != row["user.active"]:
            changes["active"] = [row["user.active"], active]
        # Wards belong to ward officers only: another role keeps none.
        new_wards = sorted(w["slug"] for w in wards) if wards is not None else old_wards
        if new_role not in WARD_SCOPED_ROLES:
            new_wards, wards = [], []
        if new_wards != old_wards:
            changes["ward_slugs"] = [old_wards, new_wards]
            await AccountWard.delete().where(AccountWard.account == account_id).run()
            for ward in wards or []:
                await AccountWard(account=account_id, ward=ward["id"]).save().run()
        user_values: dict[Any, Any] = {
            getattr(User, name): value
            for name, value in admin_flags(
                new_role, city_wide=row["organizer"] is None or row["organizer_ward"] is None
            ).items()
        }
        if active is not None:
            user_values[User.active] = active
        await Account.update({Account.role: new_role.value}).where(Account.id == account_id).run()
        await User.update(user_values).where(User.id == row["user"]).run()
        if new_role.value != row["role"] or active is False:
            await SessionsBase.delete().where(SessionsBase.user_id == row["user"]).run()
        await record_change(account_id, actor_id, changes)
    return row["user"]


# Piccolo's session, user and account tables ("user" is quoted: a reserved word in PostgreSQL).
_SESSION_QUERY = """
SELECT s.id AS session_id, s.user_id, s.expiry_date, s.max_expiry_date,
       a.id AS account_id, a.role, a.full_name, a.language, u.email, u.active,
       a.organizer, o.ward AS organizer_ward
FROM sessions s
JOIN piccolo_user u ON u.id = s.user_id
JOIN account a ON a."user" = u.id
LEFT JOIN organizer o ON o.id = a.organizer
WHERE s.token = {}
"""


async def principal_for_session(token: str, idle: dt.timedelta) -> Principal | None:
    """The signed-in caller of a session cookie, or None: the session, its user and account in
    one query, since every signed-in request asks. The rules are those of Piccolo's
    SessionsBase.get_user_id: valid before both expiry dates, and a session close to its idle
    expiry is lengthened by `idle` (never past its hard limit, which stays as it was)."""
    from piccolo_api.session_auth.tables import SessionsBase

    rows = await Account.raw(_SESSION_QUERY, token).run()
    if not rows:
        return None
    row = rows[0]
    now = dt.datetime.now()  # naive local time, as Piccolo's session table keeps it
    if not (row["expiry_date"] > now and row["max_expiry_date"] > now) or not row["active"]:
        return None
    if row["expiry_date"] - now < idle:
        await (
            SessionsBase.update({SessionsBase.expiry_date: row["expiry_date"] + idle})
            .where(SessionsBase.id == row["session_id"])
            .run()
        )
    return await _principal(row["user_id"], row["account_id"], row)


async def load_principal(user_id: int) -> Principal | None:
    row = (
        await Account.select(
            Account.id,
            Account.role,
            Account.full_name,
            Account.language,
            Account.user.email,
            Account.user.active,
            Account.organizer,
            Account.organizer.ward.as_alias("organizer_ward"),
        )
        .where(Account.user == user_id)
        .first()
        .run()
    )
    if not row or not row["user.active"]:
        return None
    return await _principal(user_id, row["id"], {**row, "email": row["user.email"]})


async def _principal(user_id: int, account_id: int, row: dict[str, Any]) -> Principal:
    role = Role(row["role"])
    city_wide, organizer_ids, ward_ids = await _scope(
        account_id, role, row.get("organizer"), row.get("organizer_ward")
    )
    return Principal(
        user_id=user_id,
        account_id=account_id,
        email=row["email"],
        full_name=row["full_name"],
        role=role,
        ward_ids=ward_ids,
        language=row["language"],
        organizer_ids=organizer_ids,
        city_wide=city_wide,
    )


async def _scope(
    account_id: int, role: Role, organizer_id: int | None, organizer_ward: int | None
) -> tuple[bool, frozenset[int], frozenset[int]]:
    """(city_wide, organizer_ids, ward_ids) of a staff account: its body decides; staff of no
    body are the city's, except ward officers, who act for the bodies of the wards assigned
    to them. Businesses act for no body."""
    if role == Role.BUSINESS:
        return False, frozenset(), frozenset()
    if organizer_id is not None:
        if organizer_ward is None:
            return True, frozenset(), frozenset()
        return False, frozenset({organizer_id}), frozenset({organizer_ward})
    if role not in WARD_SCOPED_ROLES:
        return True, frozenset(), frozenset()
    ward_ids = frozenset(
        r["ward"]
        for r in await AccountWard.select(AccountWard.ward)
        .where(AccountWard.account == account_id)
        .run()
    )
    bodies = (
        await Organizer.select(Organizer.id).where(Organizer.ward.is_in(list(ward_ids))).run()
        if ward_ids
        else []
    )
    return False, frozenset(b["id"] for b in bodies), ward_ids
