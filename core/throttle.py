"""Login throttling: counts failures per (address, e-mail) and per address.

Keys include the caller's address, so someone guessing passwords is slowed down while the real
owner, signing in from elsewhere, is not locked out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from litestar.stores.base import Store
from litestar.stores.redis import RedisStore


async def increment(store: Store, key: str, window_seconds: int) -> None:
    if isinstance(store, RedisStore):
        # One atomic INCR: requests sent at once to several workers all count
        # (a read, then a write, would let a parallel burst count as one).
        name = store._make_key(key)
        async with store._redis.pipeline(transaction=True) as pipe:
            await pipe.incr(name).expire(name, window_seconds).execute()
        return
    raw = await store.get(key)
    await store.set(key, str((int(raw) if raw else 0) + 1), window_seconds)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class RequestThrottle:
    """At most `limit` requests per subject (an e-mail, a client address) in a window: for
    requests that cost us a mail or an account, whether or not they succeed."""

    store: Store
    prefix: str
    limit: int
    window_seconds: int

    async def take(self, subject: str) -> int | None:
        """Counts one request; seconds to wait when the subject is over its limit, else None."""
        key = f"{self.prefix}:{_digest(subject)}"
        raw = await self.store.get(key)
        if raw and int(raw) >= self.limit:
            return max(1, await self.store.expires_in(key) or self.window_seconds)
        await increment(self.store, key, self.window_seconds)
        return None


@dataclass(frozen=True)
class LoginThrottle:
    store: Store
    per_account: int
    per_address: int
    window_seconds: int

    @staticmethod
    def _keys(address: str, email: str) -> tuple[str, str]:
        # Hash the e-mail so store keys never hold personal data in clear.
        digest = hashlib.sha256(email.encode()).hexdigest()[:24]
        return f"login:{address}:{digest}", f"login:{address}"

    async def _count(self, key: str) -> int:
        raw = await self.store.get(key)
        return int(raw) if raw else 0

    async def retry_after(self, address: str, email: str) -> int | None:
        """Seconds to wait when this caller has failed too often, else None."""
        account_key, address_key = self._keys(address, email)
        for key, limit in ((account_key, self.per_account), (address_key, self.per_address)):
            if await self._count(key) >= limit:
                remaining = await self.store.expires_in(key)
                return max(1, remaining or self.window_seconds)
        return None

    async def failed(self, address: str, email: str) -> None:
        for key in self._keys(address, email):
            await self._increment(key)

    async def _increment(self, key: str) -> None:
        await increment(self.store, key, self.window_seconds)

    async def succeeded(self, address: str, email: str) -> None:
        account_key, _ = self._keys(address, email)
        await self.store.delete(account_key)
