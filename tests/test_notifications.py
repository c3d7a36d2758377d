"""Every notice a business gets, received by a real SMTP server; none lost while it is down."""

from __future__ import annotations

import datetime as dt

import pytest

from core.mail import deliver_due
from core.roles import Role
from core.tables import OutboxEmail
from tests.factories import (
    PASSWORD,
    login,
    make_business,
    make_fair,
    make_product,
    seed_basics,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def world(db, smtp_port):
    await seed_basics()
    vi = await make_business(
        "vi@dn.vn", "Công ty Gốm Đông Hòa", "0300588569", "ben-nghe", status="pending"
    )
    en = await make_business(
        "en@dn.vn", "Công ty Lụa Tơ Vàng", "0100109106", "ben-nghe", status="pending", language="en"
    )
    return {"vi": vi, "en": en}


async def act(client, business, action, reason=""):
    response = await client.post(f"/api/businesses/{business}/{action}", json={"reason": reason})
    assert response.status_code == 200, response.text


async def test_each_vetting_notice_arrives_in_the_business_language(
    world, client, smtp_port, start_server
):
    server = start_server(smtp_port)
    await login(client, Role.ORGANIZER)
    await act(client, world["vi"], "request-changes", "Thiếu giấy chứng nhận đăng ký.")
    await act(client, world["vi"], "verify")
    await act(client, world["vi"], "warn", "Không ghi xuất xứ trên bao bì.")
    await act(client, world["vi"], "suspend", "Bán hàng không rõ nguồn gốc.")
    await act(client, world["vi"], "reinstate")
    await act(client, world["en"], "reject", "Hàng nhập khẩu dán nhãn lại.")
    assert await deliver_due() == 6
    received = [(m["To"], m["Subject"]) for m in server.messages]
    assert received == [
        ("vi@dn.vn", "Hồ sơ doanh nghiệp cần bổ sung"),
        ("vi@dn.vn", "Hồ sơ doanh nghiệp đã được xác minh"),
        ("vi@dn.vn", "Cảnh cáo từ Ban tổ chức Phiên chợ hàng Việt"),
        ("vi@dn.vn", "Doanh nghiệp bị đình chỉ tham gia phiên chợ"),
        ("vi@dn.vn", "Doanh nghiệp được tham gia phiên chợ trở lại"),
        ("en@dn.vn", "Your business profile was not accepted"),
    ]
    first = server.text_of(server.messages[0])
    assert "Kính gửi Công ty Gốm Đông Hòa," in first
    assert "Thiếu giấy chứng nhận đăng ký." in first
    assert "Hàng nhập khẩu dán nhãn lại." in server.text_of(server.messages[5])


async def test_application_notices_arrive(world, client, smtp_port, start_server):
    server = start_server(smtp_port)
    await login(client, Role.ORGANIZER)
    await act(client, world["vi"], "verify")
    await client.post("/api/auth/logout")
    fair = await make_fair()
    product = await make_product(world["vi"])
    await client.post("/api/auth/login", json={"email": "vi@dn.vn", "password": PASSWORD})
    application = (
        await client.post(f"/api/fairs/{fair}/applications", json={"product_ids": [product]})
    ).json()["id"]
    await client.post("/api/auth/logout")
    await login(client, Role.ORGANIZER)
    for status, reason in (("waitlisted", ""), ("approved", ""), ("rejected", "Đủ ngành hàng.")):
        response = await client.post(
            f"/api/applications/{application}/decision", json={"status": status, "reason": reason}
        )
        assert response.status_code == 200
    await client.post(f"/api/fairs/{fair}/cancel", json={"reason": "Mưa bão."})
    await deliver_due()
    subjects = [m["Subject"] for m in server.messages]
    assert subjects[1:] == [
        "Đơn đăng ký gian hàng Phiên chợ thử 20: trong danh sách chờ",
        "Đơn đăng ký gian hàng Phiên chợ thử 20: được duyệt",
        "Đơn đăng ký gian hàng Phiên chợ thử 20: bị từ chối",
    ]
    assert "Lý do: Đủ ngành hàng." in server.text_of(server.messages[3])


async def test_notices_wait_while_the_mail_server_is_down(world, client, smtp_port, start_server):
    await login(client, Role.ORGANIZER)
    await act(client, world["en"], "verify")
    assert await deliver_due() == 0  # nothing listens on the port yet
    waiting = await OutboxEmail.select().first()
    assert waiting["sent_at"] is None and waiting["attempts"] == 1 and waiting["last_error"]
    server = start_server(smtp_port)
    await OutboxEmail.update(
        {OutboxEmail.next_attempt_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)},
        force=True,
    )
    assert await deliver_due() == 1
    assert [m["Subject"] for m in server.messages] == ["Your business has been verified"]
    assert await deliver_due() == 0
