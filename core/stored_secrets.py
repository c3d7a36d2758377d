"""How a secret that only has to be recognised is kept: a session token, a link's token, a
recovery code. Only its SHA-256 is stored, so a copy of the database opens nothing."""

from __future__ import annotations

import hashlib


def stored_form(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
