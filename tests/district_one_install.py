"""An install as it was before today's units: the schema of then, and District 1's data in it
(old wards, sites in whole and in split wards, fairs before and after 1 July 2025, businesses,
a ward officer). `python -m tests.district_one_install` with DATABASE_URL set writes it.

The rows are written in SQL, as the tables of then had them: today's table classes have
columns that install does not have yet.
"""

from __future__ import annotations

import asyncio

from piccolo.apps.migrations.commands.forwards import run_forwards

# The last migration of each app before the organizing bodies came.
SCHEMA_OF_THEN = [
    ("user", "all"),
    ("session_auth", "all"),
    ("core", "2026-12-02T19:26:19:000000"),
    ("vendors", "all"),
    ("events", "2026-11-26T18:28:20:834060"),
]

WARDS = [
    # id, slug, name, aliases (as the demo of then wrote them)
    (1, "ben-nghe", "Bến Nghé", "Sài Gòn; Quận 1"),
    (2, "ben-thanh", "Bến Thành", "Bến Thành; Quận 1"),
    (3, "da-kao", "Đa Kao", "Sài Gòn; Tân Định; Quận 1"),
    (4, "tan-dinh", "Tân Định", "Tân Định; Quận 1"),
]
SITES = [
    # id, slug, ward id
    (1, "clb-nguyen-du", 2),  # whole: Bến Thành → Phường Bến Thành
    (2, "trung-tam-van-hoa", 1),  # whole: Bến Nghé → Phường Sài Gòn
    (3, "cong-vien-le-van-tam", 3),  # split: Đa Kao → Sài Gòn or Tân Định
]
FAIRS = [
    # id, site id, start (07:00 in Ho Chi Minh City, in UTC as the app stores it), title
    (1, 1, "2025-03-16 00:00:00+00:00", "Phiên tháng 3/2025"),
    (2, 2, "2025-06-29 00:00:00+00:00", "Phiên cuối tháng 6/2025"),
    (3, 1, "2025-07-06 00:00:00+00:00", "Phiên đầu tháng 7/2025"),
    (4, 3, "2025-05-04 00:00:00+00:00", "Phiên Đa Kao tháng 5/2025"),
    # 06:00 on 1 July in Ho Chi Minh City is already under today's units.
    (5, 2, "2025-06-30 23:00:00+00:00", "Phiên sáng 1/7/2025"),
]


async def write() -> None:
    from piccolo.engine import engine_finder

    for app, migration in SCHEMA_OF_THEN:
        result = await run_forwards(app, migration_id=migration)
        assert result.success, result.message
    engine = engine_finder()

    async def run(sql: str, *values: object) -> None:
        await engine.run_ddl(sql.format(*[_literal(v) for v in values]))

    for ward_id, slug, name, aliases in WARDS:
        await run(
            "INSERT INTO ward (id, slug, name, aliases) VALUES ({}, {}, {}, {})",
            ward_id,
            slug,
            name,
            aliases,
        )
    for site_id, slug, ward_id in SITES:
        await run(
            "INSERT INTO site (id, name, slug, address, ward, setting, lat, lon) "
            "VALUES ({}, {}, {}, {}, {}, 'residential', 10.77, 106.69)",
            site_id,
            f"Địa điểm {slug}",
            slug,
            f"1 Đường {slug}, Quận 1",
            ward_id,
        )
    for fair_id, site_id, start, title in FAIRS:
        await run(
            "INSERT INTO fair (id, title, site, setting, starts_at, ends_at, "
            "applications_open_at, applications_close_at, withdrawal_cutoff_at, status) "
            "VALUES ({}, {}, {}, 'residential', {}, {}, {}, {}, {}, 'completed')",
            fair_id,
            title,
            site_id,
            start,
            start,
            start,
            start,
            start,
        )
    users = [
        (1, "btc@d1.vn", "organizer"),
        (2, "phuong.dakao@d1.vn", "ward_officer"),
        (3, "dn.bennghe@d1.vn", "business"),
        (4, "dn.dakao@d1.vn", "business"),
    ]
    for user_id, email, role in users:
        await run(
            "INSERT INTO piccolo_user (id, username, password, email, first_name, last_name, "
            "active, admin, superuser) VALUES ({}, {}, 'x', {}, 'Người', 'Thử', {}, {}, {})",
            user_id,
            email,
            email,
            True,
            role == "organizer",
            role == "organizer",
        )
        await run(
            "INSERT INTO account (id, \"user\", role, full_name) VALUES ({}, {}, {}, 'Người thử')",
            user_id,
            user_id,
            role,
        )
    await run("INSERT INTO account_ward (account, ward) VALUES (2, 3)")
    for number, (account, ward_id) in enumerate(((3, 1), (4, 3)), start=1):
        await run(
            "INSERT INTO business (account, legal_name, name_key, kind, tax_code, phone, email, "
            "address, ward) VALUES ({}, {}, {}, 'enterprise', {}, '0901234567', {}, {}, {})",
            account,
            f"Công ty số {number}",
            f"cong ty so {number}",
            f"030000000{number}",
            f"dn{number}@d1.vn",
            f"{number} Lê Lợi, Quận 1",
            ward_id,
        )
    if engine.engine_type == "postgres":
        # Rows written with their ids: the sequences go on after them.
        for table in ("ward", "site", "fair", "piccolo_user", "account"):
            await run(f"SELECT setval('{table}_id_seq', (SELECT MAX(id) FROM {table}))")


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


if __name__ == "__main__":
    asyncio.run(write())
