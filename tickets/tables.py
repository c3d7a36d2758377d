"""Passes, their revocations, and the scans made at the gate."""

from enum import StrEnum

from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.tables import Account
from events.tables import Application, Fair, Site


class PassStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class Pass(Table):
    """One pass: a business's for its stall at a fair, or a staff or volunteer pass."""

    fair = ForeignKey(Fair, null=False, on_delete=OnDelete.cascade)
    application = ForeignKey(Application, null=True, default=None, on_delete=OnDelete.set_null)
    kind = Integer(default=1)
    holder = Varchar(length=300)
    stalls = Varchar(length=40, default="", help_text="Every stall code of the holder.")
    first_day = Date()
    days = Integer(default=1)
    kid = Integer()
    code = Varchar(length=200, help_text="The signed text in the QR.")
    short_code = Varchar(length=12, unique=True, help_text="Typed at the gate if a QR fails.")
    status = Varchar(length=10, choices=PassStatus, default=PassStatus.ACTIVE.value, index=True)
    revoked_reason = Text(default="")
    issued_at = Timestamptz(default=TimestamptzNow())


class Revocation(Table):
    """The list gate devices fetch as deltas: its id is their cursor."""

    pass_ = ForeignKey(Pass, null=False, on_delete=OnDelete.cascade, db_column_name="pass_id")
    fair = ForeignKey(Fair, null=False, on_delete=OnDelete.cascade)
    reason = Text(default="")
    at = Timestamptz(default=TimestamptzNow())


class Scan(Table):
    """Every scan a gate reports. Unique (pass, device, scanned_at): a retried upload of the same
    scan is recorded once (a unique index made by the migration)."""

    pass_ = ForeignKey(Pass, null=False, on_delete=OnDelete.cascade, db_column_name="pass_id")
    gate = Varchar(length=60, default="")
    device_id = Varchar(length=80)
    scanned_at = Timestamptz()
    received_at = Timestamptz(default=TimestamptzNow())
    by_account = ForeignKey(Account, null=True, default=None, on_delete=OnDelete.set_null)
    result = Varchar(length=12)


class Arrival(Table):
    """The first accepted scan of a pass. Unique on the pass (a unique index made by the
    migration): of several devices scanning one pass at once, exactly one records the arrival."""

    pass_ = ForeignKey(Pass, null=False, on_delete=OnDelete.cascade, db_column_name="pass_id")
    fair = ForeignKey(Fair, null=False, on_delete=OnDelete.cascade)
    gate = Varchar(length=60, default="")
    device_id = Varchar(length=80)
    scanned_at = Timestamptz()


class GateAssignment(Table):
    """Where a gate-staff account may check passes in: one fair, or every fair at one site.
    Exactly one of site and fair is set; unique per (account, site) and (account, fair), both
    enforced by the migration (a check and two unique indexes)."""

    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade)
    site = ForeignKey(Site, null=True, default=None, on_delete=OnDelete.cascade)
    fair = ForeignKey(Fair, null=True, default=None, on_delete=OnDelete.cascade)
    created_by = ForeignKey(
        Account, null=True, default=None, on_delete=OnDelete.set_null, db_column_name="created_by"
    )
    created_at = Timestamptz(default=TimestamptzNow())
