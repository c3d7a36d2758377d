"""Command line: `python -m manage <command>` (`--help` lists them)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
import warnings

from core.roles import Role
from core.settings import ConfigurationError, get_settings


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


async def _migrate() -> bool:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards("all")
    if not result.success:
        print(result.message, file=sys.stderr)
    return result.success


async def _load_demo() -> str:
    from demo.load import load_demo

    return await load_demo()


async def _create_account(args: argparse.Namespace, password: str) -> None:
    from core.accounts import create_account

    principal = await create_account(
        email=args.email,
        password=password,
        role=Role(args.role),
        full_name=args.name,
        phone=args.phone,
        language=args.language,
        ward_slugs=args.ward or [],
        organizer_slug=args.organizer,
    )
    print(f"Đã tạo tài khoản / Account created: {principal.email} ({principal.role.value})")


async def _send_mail(limit: int) -> str:
    from core.mail import deliver_due, outbox_counts

    sent = await deliver_due(limit)
    left = await outbox_counts()
    return (
        f"Đã gửi: {sent}. Chưa gửi: {left['unsent']} (gửi lỗi, sẽ thử lại: {left['failed']}). / "
        f"Sent: {sent}. Not sent yet: {left['unsent']} (failed, will be retried: {left['failed']})."
    )


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.environ.get("ACCOUNT_PASSWORD"):
        return os.environ["ACCOUNT_PASSWORD"]
    if sys.stdin.isatty():
        return getpass.getpass("Mật khẩu / Password: ")
    raise SystemExit(
        _fail(
            "Cần mật khẩu: dùng --password-stdin hoặc biến ACCOUNT_PASSWORD. / "
            "A password is needed: use --password-stdin or the ACCOUNT_PASSWORD variable."
        )
    )


def _serve(workers: int) -> None:
    import uvicorn

    from core.redaction import uvicorn_log_config

    settings = get_settings()
    engine = settings.database_url.split(":")[0]
    print(f"Phiên chợ hàng Việt: {settings.public_url} (database: {engine})")
    uvicorn.run(
        "app:app",
        host=settings.host,
        port=settings.port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_config=uvicorn_log_config(),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m manage", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("demo", help="load demo data into an empty database (unless DEMO=0)")
    sub.add_parser("setup", help="migrate, then load demo data into an empty database")
    serve = sub.add_parser("serve", help="serve the app on HOST:PORT")
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "1")))
    account = sub.add_parser("create-account", help="create an account non-interactively")
    account.add_argument("--email", required=True)
    account.add_argument("--role", required=True, choices=[r.value for r in Role])
    account.add_argument("--name", required=True, help="full name")
    account.add_argument("--phone", default="")
    account.add_argument("--language", default="vi", choices=["vi", "en"])
    account.add_argument("--ward", action="append", help="ward slug (ward officers; repeatable)")
    account.add_argument("--organizer", help="the body the staff member works for (its slug)")
    account.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    units = sub.add_parser(
        "units", help="today's wards and communes: load them, list and decide what still moves"
    )
    units_sub = units.add_subparsers(dest="units_command", required=True)
    units_sub.add_parser("sync", help="add the units of the installed vietnam-provinces")
    units_sub.add_parser("pending", help="sites and businesses still in abolished wards")
    decide = units_sub.add_parser("decide", help="move a site or business into a ward of today")
    decide.add_argument("kind", choices=["site", "business"])
    decide.add_argument("key", help="the site's slug, or the business's id")
    decide.add_argument("ward", help="the slug of today's ward (see `units pending`)")
    mail = sub.add_parser("send-mail", help="send the e-mails that are due, once")
    mail.add_argument("--limit", type=int, default=1000, help="send at most this many")
    sub.add_parser("keys", help="list the pass-signing keys (public halves only)")
    sub.add_parser("rotate-keys", help="add a pass-signing key; new passes use it")
    retire = sub.add_parser("retire-key", help="stop accepting passes signed with a key")
    retire.add_argument("kid", type=int)
    backup = sub.add_parser(
        "backup", help="online backup of the SQLite database, uploads and secrets (.tar.gz)"
    )
    backup.add_argument("--output", help="archive to write (default: var/backups/<time>.tar.gz)")
    restore = sub.add_parser("restore", help="restore a backup into an empty installation")
    restore.add_argument("archive", help="a .tar.gz written by the backup command")
    report = sub.add_parser(
        "report", help="write the report to the steering committee for a period (pdf, csv, xlsx)"
    )
    report.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (local)")
    report.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (local, included)")
    report.add_argument("--period", help="instead of --from/--to: 2026, 2026-H1, 2026-Q3")
    report.add_argument("--format", default="pdf", help="pdf (default), csv or xlsx")
    report.add_argument("--out", help="file to write (default: bao-cao-<period>.<format>)")
    where = report.add_mutually_exclusive_group()
    where.add_argument("--ward", help="one ward's report (ward slug)")
    where.add_argument("--site", help="one site's report (site slug)")
    where.add_argument("--setting", choices=["residential", "market", "school"])
    return parser


def _keys(command: str, kid: int | None) -> str:
    from core.errors import AppError
    from tickets import keys

    if command == "rotate-keys":
        key = keys.rotate()
        return f"Khóa mới / New key: {key.kid}"
    if command == "retire-key":
        known = {k.kid: k for k in keys.ring()}
        if kid not in known:
            listed = ", ".join(str(k) for k in sorted(known))
            raise AppError(
                404,
                f"Không có khóa {kid}. Các khóa hiện có: {listed}.",
                f"No key {kid}. The keys are: {listed}.",
            )
        if not known[kid].retired and not [k for k in known.values() if not k.retired][1:]:
            # Passes of coming fairs are issued again at once: some key must sign them.
            raise AppError(
                409,
                f"Khóa {kid} là khóa ký duy nhất còn dùng: chạy rotate-keys trước.",
                f"Key {kid} is the only signing key in use: run rotate-keys first.",
            )
        keys.retire(kid)
        from tickets.services import resync_upcoming

        done = asyncio.run(resync_upcoming())
        return (
            f"Đã ngừng khóa / Retired key {kid}: {done['issued']} thẻ cấp lại / passes "
            f"issued again, {done['revoked']} thu hồi / revoked."
        )
    return "\n".join(
        f"{k['kid']}\t{k['created']}\t{'retired ' + k['retired'] if k['retired'] else 'active'}"
        f"\t{k['public_key']}"
        for k in keys.public_keys()
    )


def _backup_or_restore(args: argparse.Namespace) -> str:
    from pathlib import Path

    from core import backup

    if args.command == "backup":
        made = backup.make_backup(Path(args.output) if args.output else None)
        rows = sum(made.tables.values())
        return (
            f"Đã sao lưu / Backed up: {made.path} ({len(made.tables)} bảng / tables, "
            f"{rows} dòng / rows, {made.uploads} tệp / uploaded files)"
        )
    restored = backup.restore_backup(Path(args.archive))
    rows = sum(restored.tables.values())
    return (
        f"Đã khôi phục / Restored: {restored.database} ({len(restored.tables)} bảng / tables, "
        f"{rows} dòng / rows, {restored.uploads} tệp / uploaded files)"
    )


async def _report(args: argparse.Namespace) -> str:
    from reports.documents import write_report

    return await write_report(
        start=args.start,
        end=args.end,
        period=args.period,
        fmt=args.format,
        ward=args.ward,
        site=args.site,
        setting=args.setting,
        out=args.out,
    )


async def _units(args: argparse.Namespace) -> str:
    from events import reorganization

    if args.units_command == "sync":
        added = await reorganization.load_units()
        return f"Đã thêm {added} đơn vị hành chính. / {added} units added."
    if args.units_command == "decide":
        name = await reorganization.decide(args.kind, args.key, args.ward)
        return f"Đã chuyển / Moved: {args.kind} {args.key} → {name}"
    rows = await reorganization.pending()
    if not rows:
        return "Không còn gì phải chuyển. / Nothing left to move."
    lines = [f"{len(rows)} cần quyết định / need a decision:"]
    for row in rows:
        choices = ", ".join(f"{c['slug']} ({c['name']})" for c in row.candidates) or "?"
        lines.append(
            f"{row.kind}\t{row.key}\t{row.name}\t{row.address}\t[{row.old_ward}] → {choices}"
        )
    return "\n".join(lines)


# Commands that open the database: each checks it can before it starts.
_NEEDS_DATABASE = frozenset(
    {
        "migrate",
        "demo",
        "setup",
        "serve",
        "create-account",
        "send-mail",
        "retire-key",
        "report",
        "units",
    }
)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        get_settings()
        with warnings.catch_warnings():
            # Piccolo warns of an unreachable PostgreSQL here; the check below says it clearly.
            warnings.simplefilter("ignore")
            import piccolo_conf  # noqa: F401  (fails early on a bad DATABASE_URL)
    except ConfigurationError as exc:
        return _fail(str(exc))
    if args.command in _NEEDS_DATABASE:
        from core.database import check_reachable

        problem = asyncio.run(check_reachable(get_settings().database_url))
        if problem:
            return _fail(problem)
    from core.errors import AppError
    from wiring import connect_domains

    connect_domains()  # the demo and the keys' re-issue change what other domains follow
    try:
        if args.command in {"migrate", "setup"} and not asyncio.run(_migrate()):
            return 1
        if args.command in {"demo", "setup"}:
            print(asyncio.run(_load_demo()))
        if args.command == "create-account":
            asyncio.run(_create_account(args, _read_password(args)))
        if args.command == "units":
            print(asyncio.run(_units(args)))
        if args.command == "send-mail":
            print(asyncio.run(_send_mail(args.limit)))
        if args.command in {"keys", "rotate-keys", "retire-key"}:
            print(_keys(args.command, getattr(args, "kid", None)))
        if args.command in {"backup", "restore"}:
            print(_backup_or_restore(args))
        if args.command == "report":
            print(f"Đã ghi báo cáo / Report written: {asyncio.run(_report(args))}")
        if args.command == "serve":
            _serve(args.workers)
    except AppError as exc:
        return _fail(f"{exc.vi} / {exc.en}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
