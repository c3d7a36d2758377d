"""A ward's scope is checked by the service that acts, not only by the HTTP handler in front of
it: a page, a command or another domain calling the service meets the same refusal."""

from __future__ import annotations

import pytest

from core.accounts import User, load_principal
from core.errors import AppError
from core.roles import Role
from tests.factories import (
    ROLE_EMAILS,
    issue_business_pass,
    make_business,
    make_fair,
    seed_basics,
    seed_stalls,
)
from tickets.codes import Kind
from tickets.services import issue_staff_pass, revoke_pass
from tickets.tables import Pass

pytestmark = pytest.mark.anyio


async def _officer_of_ben_nghe():
    user = await User.select(User.id).where(User.email == ROLE_EMAILS[Role.WARD_OFFICER]).first()
    return await load_principal(user["id"])


async def test_a_ward_officer_cannot_revoke_a_pass_of_another_ward(db):
    await seed_basics()
    await seed_stalls("site-tan-dinh")
    fair = await make_fair("site-tan-dinh")
    business = await make_business("td@test.vn", "Công ty Tân Định", "0312345670", "tan-dinh")
    held = await issue_business_pass(fair, business)
    officer = await _officer_of_ben_nghe()

    with pytest.raises(AppError) as refused:
        await revoke_pass(officer, held["id"], "Thử thu hồi")
    assert refused.value.status_code == 403
    assert "đơn vị mình" in refused.value.vi and "organizing body" in refused.value.en
    row = await Pass.select(Pass.status).where(Pass.id == held["id"]).first()
    assert row["status"] == "active"

    # At home the same officer revokes one.
    await seed_stalls("site-ben-nghe")
    home_fair = await make_fair("site-ben-nghe")
    home_business = await make_business("bn@test.vn", "Công ty Bến Nghé", "0312345679", "ben-nghe")
    home = await issue_business_pass(home_fair, home_business)
    await revoke_pass(officer, home["id"], "Mất thẻ")
    row = await Pass.select(Pass.status).where(Pass.id == home["id"]).first()
    assert row["status"] == "revoked"


async def test_a_ward_officer_cannot_issue_a_staff_pass_at_another_wards_fair(db):
    await seed_basics()
    fair = await make_fair("site-tan-dinh")
    officer = await _officer_of_ben_nghe()
    with pytest.raises(AppError) as refused:
        await issue_staff_pass(officer, fair, "Bảo vệ Trần Văn Bình", Kind.STAFF)
    assert refused.value.status_code == 403
    assert await Pass.count().where(Pass.fair == fair) == 0
    home = await make_fair("site-ben-nghe")
    assert await issue_staff_pass(officer, home, "Bảo vệ Trần Văn Bình", Kind.STAFF)
