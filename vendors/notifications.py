"""E-mails to a business, in its chosen language, through the outbox (sent after commit)."""

from __future__ import annotations

from typing import Any

from core.mail import enqueue
from core.settings import get_settings
from core.tables import Account
from vendors.tables import Business


async def notify_business(business_id: int, template: str, context: dict[str, Any]) -> None:
    row = (
        await Business.select(Business.email, Business.legal_name, Business.account)
        .where(Business.id == business_id)
        .first()
        .run()
    )
    if not row:
        return
    account = (
        await Account.select(Account.language).where(Account.id == row["account"]).first().run()
    )
    await enqueue(
        to=row["email"],
        template=template,
        context={
            "business_name": row["legal_name"],
            "public_url": get_settings().public_url,
            **context,
        },
        language=account["language"] if account else "vi",
    )
