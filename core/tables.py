"""Wards, the role profile of each account (the account itself is Piccolo's user row), and
the e-mail outbox."""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Boolean, Float, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.roles import Role


class Ward(Table):
    """A ward, commune or special zone. Today's units carry their official code and come from
    core.units; a unit abolished on 1 July 2025 stays, inactive and without a code, with the
    district it belonged to, so a fair held there before is shown where it was held."""

    slug = Varchar(length=80, unique=True)
    name = Varchar(length=120)
    # The official 5-digit code of a unit in force; empty for a unit that no longer exists.
    code = Varchar(length=5, default="", index=True)
    kind = Varchar(length=20, default="phường")
    # The district of a unit from before 1 July 2025 ("Quận 1"); today's units have none.
    district = Varchar(length=80, default="")
    # Other names people still write, kept so old addresses still find their ward.
    aliases = Varchar(length=400, default="")
    active = Boolean(default=True)
    # Where the unit lies (its centre, from vietnamadminunits): "the nearest fairs first".
    lat = Float(null=True, default=None)
    lon = Float(null=True, default=None)


class Organizer(Table):
    """An organizing body: the city's steering committee (no ward: it acts everywhere) or the
    committee of one ward or commune, which holds fairs at its own sites."""

    slug = Varchar(length=80, unique=True)
    name = Varchar(length=200)
    ward = ForeignKey(Ward, null=True, default=None, on_delete=OnDelete.restrict, unique=True)
    active = Boolean(default=True)


class Account(Table):
    """The role profile of a Piccolo user: role, display name, phone, language."""

    user = ForeignKey(BaseUser, unique=True, null=False, on_delete=OnDelete.cascade)
    role = Varchar(length=20, choices=Role, index=True)
    full_name = Varchar(length=200)
    phone = Varchar(length=20, default="")
    language = Varchar(length=2, default="vi")
    created_at = Timestamptz(default=TimestamptzNow())
    # When the account's e-mail address was shown to be its own (a link followed); businesses
    # apply to fairs only after that.
    email_confirmed_at = Timestamptz(null=True, default=None)
    # The version of the personal-data notice the person agreed to, and when.
    consent_version = Varchar(length=20, default="")
    consent_at = Timestamptz(null=True, default=None)
    # The body a staff member works for; null for businesses and for staff of no body yet.
    organizer = ForeignKey(Organizer, null=True, default=None, on_delete=OnDelete.restrict)


class AccountWard(Table):
    """The wards a ward officer acts for."""

    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade)
    ward = ForeignKey(Ward, null=False, on_delete=OnDelete.cascade)
    # Unique (account, ward) / (business, category): a unique index made by the migration.


class OutboxEmail(Table):
    """An e-mail waiting to be sent, or sent: written in the transaction of the change it
    reports, delivered later by core.mail.deliver_due, so a slow or failing mail server never
    holds up or loses a request."""

    recipient = Varchar(length=320)
    subject = Text()
    body_text = Text()
    body_html = Text(null=True, default=None)
    language = Varchar(length=2, default="vi")
    kind = Varchar(length=60, index=True)
    # Kept across retries, so a receiving server can drop a copy sent twice after a crash.
    message_id = Varchar(length=255)
    created_at = Timestamptz(default=TimestamptzNow())
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    attempts = Integer(default=0)
    last_error = Text(default="")
    # Indexed: nearly every row is sent, and the sender looks only for the few that are not.
    sent_at = Timestamptz(null=True, default=None, index=True)
    # The lease of the worker sending it: several processes never send one e-mail twice.
    claimed_until = Timestamptz(null=True, default=None)


class PasswordResetToken(Table):
    """A password-reset link sent by e-mail: only the SHA-256 of its token is kept, so a copy
    of the database opens no account."""

    user = ForeignKey(BaseUser, null=False, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    # "reset" (one hour, asked for by the person) or "invitation" (a new staff account's first
    # password, sent by an organizer, valid longer).
    purpose = Varchar(length=20, default="reset")


class EmailConfirmationToken(Table):
    """A link that shows an address belongs to the account: at sign-up, or a new address asked
    for from the profile (the account keeps its old address until the new one is confirmed)."""

    user = ForeignKey(BaseUser, null=False, on_delete=OnDelete.cascade, index=True)
    email = Varchar(length=320)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class SignInEvent(Table):
    """One successful sign-in: the account's own history on its profile."""

    user = ForeignKey(BaseUser, null=False, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    address = Varchar(length=64, default="")
    user_agent = Varchar(length=300, default="")
    # "password", "password+totp" or "password+recovery"
    method = Varchar(length=30, default="password")


class AccountChange(Table):
    """Who changed a staff account, when and what (role, wards, active, invitation)."""

    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    actor = ForeignKey(Account, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    # JSON: {"field": [old, new], ...}
    changes = Text(default="{}")


class TwoFactor(Table):
    """An account's authenticator (TOTP, RFC 6238). Enabled once a first code was given."""

    user = ForeignKey(BaseUser, null=False, unique=True, on_delete=OnDelete.cascade)
    secret = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    enabled_at = Timestamptz(null=True, default=None)
    # The last 30-second step accepted: a code is never accepted twice.
    last_step = Integer(default=0)


class RecoveryCode(Table):
    """Single-use codes for when the authenticator is lost: only their SHA-256 is kept."""

    user = ForeignKey(BaseUser, null=False, on_delete=OnDelete.cascade, index=True)
    code_hash = Varchar(length=64)
    used_at = Timestamptz(null=True, default=None)
