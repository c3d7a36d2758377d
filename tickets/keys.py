"""Pass-signing keys: Ed25519, with ids, rotated and retired; private keys never leave var/.

The ring is a JSON file under var/ (or the PASS_KEYS environment variable, for several machines):
[{"kid": 1, "private": "<base64 raw key>", "created": "...", "retired": null}, ...].
New passes are signed with the newest key that is not retired; older keys verify until retired.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from core.settings import get_settings

RING_FILE = "pass-keys.json"


@dataclass(frozen=True)
class SigningKey:
    kid: int
    private: Ed25519PrivateKey
    created: str
    retired: str | None

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    def public_raw(self) -> bytes:
        return self.public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _encode(key: SigningKey) -> dict:
    raw = key.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return {
        "kid": key.kid,
        "private": base64.b64encode(raw).decode(),
        "created": key.created,
        "retired": key.retired,
    }


def _decode(item: dict) -> SigningKey:
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(item["private"]))
    return SigningKey(int(item["kid"]), private, item["created"], item.get("retired"))


def _path():
    return get_settings().var_dir / RING_FILE


def _save(keys: list[SigningKey]) -> None:
    path = _path()
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump([_encode(k) for k in keys], handle, indent=1)
    temporary.replace(path)


def _new_key(kid: int) -> SigningKey:
    return SigningKey(kid, Ed25519PrivateKey.generate(), dt.datetime.now(dt.UTC).isoformat(), None)


@lru_cache(maxsize=2)
def _parse(text: str) -> tuple[SigningKey, ...]:
    return tuple(_decode(i) for i in json.loads(text))


def ring() -> tuple[SigningKey, ...]:
    """All keys, oldest first; the first start makes one.

    The file is read again on every call (one small read): `rotate-keys` and `retire-key` run
    in their own process, and every running worker must sign with the new key and verify the
    passes it re-issued at once, not after a restart.
    """
    if os.environ.get("PASS_KEYS"):
        return _parse(os.environ["PASS_KEYS"])
    path = _path()
    if not path.exists():
        # Written aside, then linked into place: link() fails if another worker got there
        # first, and nobody ever reads a half-written ring.
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump([_encode(_new_key(1))], handle, indent=1)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return _parse(path.read_text())


def signing_key() -> SigningKey:
    active = [k for k in ring() if not k.retired]
    if not active:
        raise RuntimeError(
            "Every pass-signing key is retired: run `python -m manage rotate-keys`."
        )
    return active[-1]


def key_by_id(kid: int) -> SigningKey | None:
    return next((k for k in ring() if k.kid == kid), None)


def rotate() -> SigningKey:
    keys = list(ring())
    key = _new_key(max((k.kid for k in keys), default=0) + 1)
    if key.kid > 255:
        raise RuntimeError("Key ids are one byte in the pass: retire and remove old keys first.")
    _save([*keys, key])
    return key


def retire(kid: int) -> None:
    keys = list(ring())
    if not any(k.kid == kid for k in keys):
        raise KeyError(kid)
    now = dt.datetime.now(dt.UTC).isoformat()
    _save(
        [SigningKey(k.kid, k.private, k.created, now if k.kid == kid else k.retired) for k in keys]
    )


def public_keys() -> list[dict]:
    """What gate devices need to verify passes offline; never the private half."""
    return [
        {
            "kid": k.kid,
            "algorithm": "Ed25519",
            "public_key": base64.b64encode(k.public_raw()).decode(),
            "created": k.created,
            "retired": k.retired,
        }
        for k in ring()
    ]
