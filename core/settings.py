"""All configuration, read once from the environment (see README, "Configuration")."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """A setting is wrong; the message tells the operator what to change."""


def _var_dir() -> Path:
    from core.private_files import private_dir

    path = Path(os.environ.get("VAR_DIR", PROJECT_ROOT / "var")).resolve()
    return private_dir(path, tighten=True)


def _secret_from_file(name: str, var_dir: Path) -> str:
    """Read a secret kept under var/, creating it on first start (never committed)."""
    path = var_dir / name
    if not path.exists():
        value = secrets.token_urlsafe(48)
        # Written whole under a name of its own, then linked into place: of two workers starting
        # together one wins, and the other reads the winner's complete key, never a half-written
        # or empty file.
        draft = var_dir / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(value)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() not in {"0", "false", "no", "off"}


def _demo(public_url: str, database_url: str) -> dict:
    """Demo data, with its passwords that everyone knows, only where nobody could be harmed:
    never behind an https address (a site people use), and on PostgreSQL (the production
    engine) only when DEMO=1 is asked for."""
    if public_url.startswith("https://"):
        return {
            "demo": False,
            "demo_refused": (
                "PUBLIC_URL là https (máy chủ thật): không nạp dữ liệu mẫu với mật khẩu ai cũng "
                "biết. / PUBLIC_URL is https (a production start): no demo data with known "
                "passwords is loaded."
            ),
        }
    asked = os.environ.get("DEMO", "").strip()
    if not asked and database_url.lower().startswith(("postgres://", "postgresql://")):
        return {
            "demo": False,
            "demo_refused": (
                "PostgreSQL mà không đặt DEMO=1: coi là máy chủ thật, không nạp dữ liệu mẫu. / "
                "PostgreSQL with DEMO unset: taken as a production start, no demo data loaded."
            ),
        }
    return {"demo": _flag("DEMO", True), "demo_refused": None}


DEFAULT_MAIL_FROM = "Phiên chợ hàng Việt TP. Hồ Chí Minh <no-reply@phiencho.local>"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name) or str(default)
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from exc


def _ca_file(name: str) -> str | None:
    raw = os.environ.get(name) or None
    if raw is not None and not Path(raw).is_file():
        raise ConfigurationError(
            f"{name} must be a readable PEM file of CA certificates, got {raw!r}"
        )
    return raw


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name) or str(default)
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a number of seconds, got {raw!r}") from exc
    if value < 0:
        raise ConfigurationError(f"{name} cannot be negative, got {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str
    host: str
    port: int
    redis_url: str | None
    demo: bool
    # Why a start loads no demo data though DEMO was not set to 0 (a production start), or None.
    demo_refused: str | None
    public_url: str
    var_dir: Path
    secret_key: str
    session_max_age: int
    login_attempts_per_account: int
    login_attempts_per_address: int
    login_window_seconds: int
    requests_per_minute: int
    smtp_host: str
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None = field(repr=False)
    smtp_starttls: bool
    # A private CA to trust for the mail server's certificate, besides the system's.
    smtp_ca_file: str | None
    mail_from: str
    # 0: this process sends no mail by itself (tests, or `manage send-mail` run by a timer).
    mail_poll_seconds: float

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")


def default_sqlite_url(var_dir: Path) -> str:
    return f"sqlite:///{var_dir / 'phiencho.sqlite3'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    var_dir = _var_dir()
    host = os.environ.get("HOST", "127.0.0.1")
    try:
        port = int(os.environ.get("PORT", "8000"))
    except ValueError as exc:
        raise ConfigurationError(f"PORT must be a number, got {os.environ['PORT']!r}") from exc
    public_url = os.environ.get("PUBLIC_URL") or f"http://{host}:{port}"
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or default_sqlite_url(var_dir),
        host=host,
        port=port,
        redis_url=os.environ.get("REDIS_URL") or None,
        **_demo(public_url, os.environ.get("DATABASE_URL") or ""),
        public_url=public_url.rstrip("/"),
        var_dir=var_dir,
        secret_key=os.environ.get("SECRET_KEY") or _secret_from_file("secret_key", var_dir),
        session_max_age=int(os.environ.get("SESSION_MAX_AGE", str(14 * 24 * 3600))),
        login_attempts_per_account=int(os.environ.get("LOGIN_ATTEMPTS_PER_ACCOUNT", "5")),
        login_attempts_per_address=int(os.environ.get("LOGIN_ATTEMPTS_PER_ADDRESS", "30")),
        login_window_seconds=int(os.environ.get("LOGIN_WINDOW_SECONDS", "900")),
        requests_per_minute=int(os.environ.get("REQUESTS_PER_MINUTE", "1200")),
        smtp_host=os.environ.get("SMTP_HOST") or "127.0.0.1",
        smtp_port=_int("SMTP_PORT", 1025),
        smtp_user=os.environ.get("SMTP_USER") or None,
        smtp_password=os.environ.get("SMTP_PASSWORD") or None,
        smtp_starttls=_flag("SMTP_STARTTLS", False),
        smtp_ca_file=_ca_file("SMTP_CA_FILE"),
        mail_from=os.environ.get("MAIL_FROM") or DEFAULT_MAIL_FROM,
        mail_poll_seconds=_seconds("MAIL_POLL_SECONDS", 10),
    )
