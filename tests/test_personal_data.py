"""Personal data under Law 91/2025/QH15: consent to the notice at sign-up, the export of a
business's data, erasure, and the household owner's personal ID masked but for vetting."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from core.accounts import Principal
from core.privacy import NOTICE_VERSION, mask_personal_id
from core.roles import Role
from core.tables import Account
from events.tables import Application
from tests.factories import (
    PASSWORD,
    PDF_BYTES,
    ROLE_EMAILS,
    csrf_token,
    login,
    make_business,
    make_fair,
    make_product,
    seed_basics,
)
from vendors import documents
from vendors.personal_data import display_tax_code
from vendors.tables import Business, Document, PersonalIdView

pytestmark = pytest.mark.anyio

SIGN_UP = {
    "email": "lien.he@detlua.vn",
    "password": "mat-khau-lua-1",
    "legal_name": "Công ty TNHH Dệt Lụa Bến Nghé",
    "kind": "enterprise",
    "tax_code": "0300588569",
    "phone": "0903 123 456",
    "address": "12 Mạc Đĩnh Chi",
    "ward_slug": "ben-nghe",
    "category_slugs": ["may-mac"],
}
HOUSEHOLD_ID = "079123456123"


async def test_the_sign_up_form_needs_consent_and_keeps_what_was_typed(client) -> None:
    await seed_basics()
    token = await csrf_token(client)
    form = {k: v for k, v in SIGN_UP.items() if k != "category_slugs"}
    form |= {"category_slugs[]": "may-mac", "_csrf_token": token}
    refused = await client.post("/register", data=form)
    assert refused.status_code == 422
    assert 'id="consent_version-error"' in refused.text
    assert SIGN_UP["legal_name"] in refused.text
    assert not await Business.exists().where(Business.tax_code == SIGN_UP["tax_code"])
    accepted = await client.post("/register", data={**form, "consent_version": NOTICE_VERSION})
    assert accepted.status_code == 303
    account = await Account.select(Account.consent_version, Account.consent_at).where(
        Account.user.email == SIGN_UP["email"]
    )
    assert account[0]["consent_version"] == NOTICE_VERSION and account[0]["consent_at"]


async def test_api_sign_up_without_consent_cannot_apply_until_it_accepts(client) -> None:
    await seed_basics()
    fair = await make_fair()
    assert (await client.post("/api/businesses", json=SIGN_UP)).status_code == 201
    business = await Business.select(Business.id, Business.account).first()
    await Business.update({Business.status: "verified"}).where(Business.id == business["id"])
    await Account.update({Account.email_confirmed_at: Account.created_at}).where(
        Account.id == business["account"]
    )
    product = await make_product(business["id"])
    await client.post(
        "/api/auth/login", json={"email": SIGN_UP["email"], "password": SIGN_UP["password"]}
    )
    overview = await client.get("/business/")
    assert 'action="/business/consent"' in overview.text
    apply = await client.post(f"/api/fairs/{fair}/applications", json={"product_ids": [product]})
    assert apply.status_code == 403
    assert apply.json()["reason"] == "consent_missing"
    wrong = await client.post("/api/me/consent", json={"consent_version": "2020-01"})
    assert wrong.status_code == 422
    ok = await client.post("/api/me/consent", json={"consent_version": NOTICE_VERSION})
    assert ok.status_code == 200
    assert 'action="/business/consent"' not in (await client.get("/business/")).text
    apply = await client.post(f"/api/fairs/{fair}/applications", json={"product_ids": [product]})
    assert apply.status_code == 201, apply.text


async def test_api_sign_up_with_an_old_notice_version_is_refused(client) -> None:
    await seed_basics()
    response = await client.post("/api/businesses", json={**SIGN_UP, "consent_version": "1999"})
    assert response.status_code == 422
    assert response.json()["field"] == "consent_version"


async def test_export_holds_the_business_data_and_its_documents_only(client) -> None:
    await seed_basics()
    own = (
        await Business.select(Business.id)
        .where(Business.account.user.email == ROLE_EMAILS[Role.BUSINESS])
        .first()
    )
    if own is None:
        own_id = await make_business(
            ROLE_EMAILS[Role.BUSINESS],
            "Công ty Dệt Bến Nghé",
            "0300583659",
            "ben-nghe",
            account_exists=True,
        )
    else:
        own_id = own["id"]
    await make_product(own_id, "Khăn lụa tơ tằm")
    await documents.store_document(own_id, "registration_certificate", "gcn.pdf", PDF_BYTES, None)
    other = await make_business("khac@test.vn", "Công ty Tân Định Xanh", "0101248141", "tan-dinh")
    await make_product(other, "Nón lá Tân Định")
    await login(client, Role.BUSINESS)
    response = await client.get("/api/me/data-export")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert 'filename="du-lieu-0300583659-' in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert [p["name"] for p in data["products"]] == ["Khăn lụa tơ tằm"]
    assert data["account"]["email"] == ROLE_EMAILS[Role.BUSINESS]
    assert data["business"]["legal_name"] == "Công ty Dệt Bến Nghé"
    files = [n for n in archive.namelist() if n.startswith("documents/")]
    assert len(files) == 1 and archive.read(files[0]) == PDF_BYTES
    assert "Nón lá Tân Định" not in archive.read("data.json").decode()


async def test_erasure_needs_the_password_and_keeps_what_the_city_must(client) -> None:
    await seed_basics()
    business_id = await make_business(
        ROLE_EMAILS[Role.BUSINESS],
        "Công ty Dệt Bến Nghé",
        "0300583659",
        "ben-nghe",
        account_exists=True,
    )
    stored = await documents.store_document(
        business_id, "registration_certificate", "gcn.pdf", PDF_BYTES, None
    )
    key = (await Document.select(Document.storage_key).where(Document.id == stored.id))[0]
    path = documents.storage_dir() / key["storage_key"]
    past = await make_fair(days_ahead=-3, window_open=False)
    await Application(business=business_id, fair=past, status="approved").save()
    await login(client, Role.BUSINESS)
    wrong = await client.post("/api/me/erasure", json={"password": "khong-dung-1"})
    assert wrong.status_code == 403
    assert path.exists()
    done = await client.post("/api/me/erasure", json={"password": PASSWORD})
    assert done.status_code == 200, done.text
    assert not path.exists()
    assert (await client.get("/api/businesses/me")).status_code == 401
    again = await client.post(
        "/api/auth/login", json={"email": ROLE_EMAILS[Role.BUSINESS], "password": PASSWORD}
    )
    assert again.status_code == 401
    row = (
        await Business.select(
            Business.legal_name, Business.tax_code, Business.phone, Business.account.user.email
        )
        .where(Business.id == business_id)
        .first()
    )
    assert row["legal_name"] == "Công ty Dệt Bến Nghé" and row["tax_code"] == "0300583659"
    assert row["phone"] == "" and row["account.user.email"].startswith("erased-")
    assert row["account.user.email"].endswith("@invalid")
    assert await Application.exists().where(Application.fair == past)
    changes = await client.get("/")  # noqa: F841  (the site still answers the anonymous visitor)
    from vendors.tables import BusinessStatusChange

    assert await BusinessStatusChange.exists().where(
        (BusinessStatusChange.business == business_id) & (BusinessStatusChange.action == "erased")
    )


async def test_erasure_is_refused_with_an_upcoming_application(client) -> None:
    await seed_basics()
    business_id = await make_business(
        ROLE_EMAILS[Role.BUSINESS],
        "Công ty Dệt Bến Nghé",
        "0300583659",
        "ben-nghe",
        account_exists=True,
    )
    await Application(business=business_id, fair=await make_fair(), status="submitted").save()
    await login(client, Role.BUSINESS)
    refused = await client.post("/api/me/erasure", json={"password": PASSWORD})
    assert refused.status_code == 409
    assert (await client.get("/api/businesses/me")).status_code == 200


def _principal(role: Role, account_id: int = 999, wards: frozenset[int] = frozenset()):
    return Principal(1, account_id, "x@test.vn", "X", role, wards, "vi")


async def test_a_household_personal_id_is_masked_but_for_vetting_officers(client) -> None:
    await seed_basics()
    business_id = await make_business("ho@test.vn", "Hộ kinh doanh Bà Tư", HOUSEHOLD_ID, "ben-nghe")
    await Business.update({Business.kind: "household"}).where(Business.id == business_id)
    row = (
        await Business.select(Business.kind, Business.tax_code, Business.account, Business.ward)
        .where(Business.id == business_id)
        .first()
    )
    masked = mask_personal_id(HOUSEHOLD_ID)
    assert masked == "0791•••••123"
    assert display_tax_code(row, None) == masked
    assert display_tax_code(row, _principal(Role.INSPECTOR)) == masked
    assert display_tax_code(row, _principal(Role.BUSINESS)) == masked
    assert display_tax_code(row, _principal(Role.BUSINESS, row["account"])) == HOUSEHOLD_ID
    assert display_tax_code(row, _principal(Role.WARD_OFFICER, wards=frozenset())) == masked
    await login(client, Role.ORGANIZER)
    listed = await client.get("/api/businesses", params={"q": "Bà Tư"})
    assert [b["tax_code"] for b in listed.json()] == [masked]
    assert await PersonalIdView.count() == 0
    page = await client.get(f"/console/businesses/{business_id}")
    assert HOUSEHOLD_ID in page.text
    detail = await client.get(f"/api/businesses/{business_id}")
    assert detail.json()["tax_code"] == HOUSEHOLD_ID
    assert await PersonalIdView.count().where(PersonalIdView.business == business_id) == 2
    page = await client.get(f"/console/businesses/{business_id}")
    assert 'id="id-views"' in page.text


async def test_the_notice_page_names_its_version(client) -> None:
    response = await client.get("/privacy")
    assert response.status_code == 200
    assert NOTICE_VERSION in response.text
