"""Old addresses (ward, district, before 1 July 2025) in today's wards, with the network cut.

Every test here runs with connections to anything but this machine refused (the test database
is on the loopback address): what the system answers comes from the data it carries.
"""

from __future__ import annotations

import socket
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.addresses import MAX_LENGTH, OnlineLookupRefused, convert
from core.units import units

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _local(host: object) -> bool:
    return host is None or str(host) in _LOOPBACK


@pytest.fixture(autouse=True)
def outside_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Refuse, and record, every connection and name lookup beyond this machine."""
    attempts: list[object] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo, real_create = socket.getaddrinfo, socket.create_connection

    def refuse(target: object) -> OSError:
        attempts.append(target)
        return OSError(f"no network in these tests: {target!r}")

    def connect(self: socket.socket, address: object) -> None:
        if isinstance(address, tuple) and not _local(address[0]):
            raise refuse(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        if isinstance(address, tuple) and not _local(address[0]):
            raise refuse(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if not _local(host):
            raise refuse(host)
        return real_getaddrinfo(host, *args, **kwargs)

    def create_connection(address: tuple[object, ...], *args: object, **kwargs: object) -> object:
        if not _local(address[0]):
            raise refuse(address)
        return real_create(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    yield attempts
    assert attempts == [], f"reached for the network: {attempts}"


def wards(address: str) -> list[tuple[str, str]]:
    return [(c.ward_code, c.ward_name) for c in convert(address)]


def test_the_network_is_really_cut_here(outside_calls):
    with pytest.raises(OSError, match="no network"):
        socket.create_connection(("geocode.arcgis.com", 443), timeout=1)
    with pytest.raises(OSError, match="no network"):
        socket.getaddrinfo("nominatim.openstreetmap.org", 443)
    assert outside_calls == [("geocode.arcgis.com", 443), "nominatim.openstreetmap.org"]
    outside_calls.clear()


# Old District 1.


def test_ben_nghe_went_whole_into_sai_gon():
    [candidate] = convert("12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh")
    assert candidate.address == "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh"
    assert (candidate.ward_code, candidate.ward_name, candidate.ward_slug) == (
        "26740",
        "Phường Sài Gòn",
        "sai-gon",
    )


def test_ben_thanh_stays_ben_thanh_with_its_street():
    [candidate] = convert("116 Nguyễn Du, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh")
    assert candidate.address == "116 Nguyễn Du, Phường Bến Thành, Thành phố Hồ Chí Minh"
    assert (candidate.ward_code, candidate.ward_slug) == ("26743", "ben-thanh")


def test_da_kao_was_split_between_sai_gon_and_tan_dinh():
    assert wards("Phường Đa Kao, Quận 1, TP. Hồ Chí Minh") == [
        ("26740", "Phường Sài Gòn"),
        ("26737", "Phường Tân Định"),
    ]


@pytest.mark.parametrize(
    "address",
    [
        "Phường Nguyễn Thái Bình, Quận 1, TP. Hồ Chí Minh",
        # Without a province the library reads "Thái Bình" as one; it is read again in the city.
        "Phường Nguyễn Thái Bình, Quận 1",
    ],
)
def test_nguyen_thai_binh_was_split_between_ben_thanh_and_sai_gon(address):
    assert wards(address) == [("26743", "Phường Bến Thành"), ("26740", "Phường Sài Gòn")]


def test_a_split_ward_with_a_street_answers_from_the_data_each_with_the_street():
    """Here the library would geocode the street online to pick one ward: every part instead."""
    candidates = convert("45 Trần Hưng Đạo, Phường Cầu Ông Lãnh, Quận 1, TP. Hồ Chí Minh")
    assert [(c.ward_code, c.address) for c in candidates] == [
        ("26743", "45 Trần Hưng Đạo, Phường Bến Thành, Thành phố Hồ Chí Minh"),
        ("26758", "45 Trần Hưng Đạo, Phường Cầu Ông Lãnh, Thành phố Hồ Chí Minh"),
    ]


def test_the_library_never_reaches_its_geocoder(outside_calls):
    """Its own converter, called directly on a split ward with a street, is refused before it
    opens a connection."""
    from vietnamadminunits import convert_address

    convert("Phường Bến Nghé, Quận 1")  # the library is loaded, its way out closed
    with pytest.raises(OnlineLookupRefused):
        convert_address("45 Trần Hưng Đạo, Phường Cầu Ông Lãnh, Quận 1, TP. Hồ Chí Minh")
    assert outside_calls == []


# Other old districts, and the provinces the city took in.


def test_a_whole_ward_of_binh_thanh():
    [candidate] = convert("Phường 25, Quận Bình Thạnh, TP. Hồ Chí Minh")
    assert (candidate.ward_code, candidate.ward_name) == ("26956", "Phường Thạnh Mỹ Tây")


def test_thao_dien_of_old_district_2_is_in_an_khanh():
    assert wards("Phường Thảo Điền, Quận 2, TP. Hồ Chí Minh") == [("27118", "Phường An Khánh")]


def test_a_split_ward_of_district_3():
    """Bàn Cờ is 27154 in vietnamadminunits and 27160 in the official list: the official one."""
    assert wards("Phường 4, Quận 3, TP. Hồ Chí Minh") == [
        ("27160", "Phường Bàn Cờ"),
        ("27139", "Phường Xuân Hòa"),
    ]


def test_a_split_ward_of_thu_duc():
    assert wards("Phường Linh Tây, Thành phố Thủ Đức, TP. Hồ Chí Minh") == [
        ("26794", "Phường Linh Xuân"),
        ("26824", "Phường Thủ Đức"),
    ]


def test_an_old_address_of_binh_duong_is_now_in_the_city():
    [candidate] = convert("5 Yersin, Phường Phú Cường, Thành phố Thủ Dầu Một, Tỉnh Bình Dương")
    assert candidate.address == "5 Yersin, Phường Thủ Dầu Một, Thành phố Hồ Chí Minh"
    assert candidate.ward_code == "25747"


def test_con_dao_had_no_wards_and_is_a_special_zone():
    [candidate] = convert("Huyện Côn Đảo, Tỉnh Bà Rịa - Vũng Tàu")
    assert (candidate.ward_name, candidate.ward_slug) == ("Đặc khu Côn Đảo", "con-dao")


def test_two_communes_alike_once_folded_keep_apart():
    assert wards("Xã Thạnh An, Huyện Cần Giờ, TP. Hồ Chí Minh") == [("27676", "Xã Thạnh An")]
    assert wards("Xã Thanh An, Huyện Dầu Tiếng, Tỉnh Bình Dương") == [("25807", "Xã Thanh An")]


# How people write addresses.


@pytest.mark.parametrize(
    "address",
    [
        "P. Ben Nghe, Q.1",
        "P.Ben Nghe, Q1, HCM",
        "phuong ben nghe, quan 1, tp hcm",
        "Bến Nghé, Quận 1",
    ],
)
def test_without_diacritics_and_with_abbreviations(address):
    [candidate] = convert(address)
    # The "P." is not taken for a street.
    assert candidate.address == "Phường Sài Gòn, Thành phố Hồ Chí Minh"


def test_a_split_ward_without_diacritics():
    assert wards("Phuong Da Kao, Quan 1, TP HCM") == [
        ("26740", "Phường Sài Gòn"),
        ("26737", "Phường Tân Định"),
    ]


@pytest.mark.parametrize(
    ("address", "street"),
    [
        ("Lầu 3, 12-14 Nguyễn Huệ, Phường Bến Nghé, Quận 1, TP HCM", "Lầu 3, 12-14 Nguyễn Huệ"),
        ("12 Lê Lợi P. Bến Nghé Q.1 TP.HCM", "12 Lê Lợi"),
        ("12 lê lợi, p. bến nghé, q.1", "12 lê lợi"),
        ("Lô P, Phường Bến Nghé, Quận 1", "Lô P"),
    ],
)
def test_the_street_is_kept_as_written(address, street):
    [candidate] = convert(address)
    assert candidate.address == f"{street}, Phường Sài Gòn, Thành phố Hồ Chí Minh"


def test_text_in_and_out_is_nfc():
    decomposed = unicodedata.normalize("NFD", "12 Lê Lợi,  Phường Bến Nghé, Quận 1")
    [candidate] = convert(decomposed)
    assert candidate.address == "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh"
    for text in (candidate.address, candidate.ward_name):
        assert unicodedata.is_normalized("NFC", text)


# Today's addresses, and what is not an address.


def test_an_address_already_in_todays_units_is_itself():
    [candidate] = convert("12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh")
    assert candidate.address == "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh"
    assert candidate.ward_code == "26740"


def test_todays_ward_binh_thanh_is_not_the_old_district():
    assert wards("Phường Bình Thạnh, TP. Hồ Chí Minh") == [("26929", "Phường Bình Thạnh")]
    assert wards("Quận Bình Thạnh, TP. Hồ Chí Minh") == []


@pytest.mark.parametrize(
    "address",
    [
        "",
        "   ",
        "xin chào",
        "123 abc",
        "Quận 1, TP. Hồ Chí Minh",  # a district, no ward
        "Phường Tràng Tiền, Quận Hoàn Kiếm, Hà Nội",  # another province
        "Xã Tân Thạnh, Huyện Tân Phú, Tỉnh Đồng Nai",  # not Tân Phú of Ho Chi Minh City
    ],
)
def test_no_ward_of_the_city_no_candidate(address):
    assert convert(address) == []


_PIECES = st.sampled_from(
    ["Phường", "P.", "Quận", "Q.1", "Bến Nghé", "Đa Kao", "TP HCM", "Huyện", "Côn Đảo", ",", "-"]
)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=20).map(" ".join))
def test_whatever_is_typed_gets_an_answer_not_an_error(text):
    for candidate in convert(text[:MAX_LENGTH]):
        assert candidate.ward_code and unicodedata.is_normalized("NFC", candidate.address)


def test_every_new_ward_of_the_library_is_an_official_unit():
    """The library's wards of the city, and the parts of each split ward, all name a unit of
    `core.units` (by code, or by name where the two packages' codes differ)."""
    from core import addresses

    library = addresses._library()
    key = addresses._new_province_key()
    new_keys = set(library.whole[key]) | {
        part["newWardKey"] for parts in library.split[key].values() for part in parts
    }
    found = {new_key: addresses._new_ward(new_key) for new_key in new_keys}
    assert None not in found.values()
    assert {u.code for u in found.values()} == {u.code for u in units()}


# Through the API, on both databases.


@pytest.mark.anyio
async def test_api_answers_the_candidates(db, client):
    response = await client.get(
        "/api/addresses/convert", params={"address": "Phuong Da Kao, Quan 1, TP HCM"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "candidates": [
            {
                "address": "Phường Sài Gòn, Thành phố Hồ Chí Minh",
                "ward_slug": "sai-gon",
                "ward_code": "26740",
                "ward_name": "Phường Sài Gòn",
            },
            {
                "address": "Phường Tân Định, Thành phố Hồ Chí Minh",
                "ward_slug": "tan-dinh",
                "ward_code": "26737",
                "ward_name": "Phường Tân Định",
            },
        ]
    }


@pytest.mark.anyio
async def test_api_knows_no_ward_no_candidate(db, client):
    response = await client.get("/api/addresses/convert", params={"address": "xin chào"})
    assert response.status_code == 200
    assert response.json() == {"candidates": []}


@pytest.mark.anyio
@pytest.mark.parametrize("query", [{}, {"address": ""}, {"address": "  \t "}])
async def test_api_without_an_address_is_422_in_both_languages(db, client, query):
    response = await client.get("/api/addresses/convert", params=query)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["messages"] == {"vi": "Hãy nhập địa chỉ.", "en": "Enter an address."}
    assert body["detail"] == "Hãy nhập địa chỉ."
    assert body["field"] == "address"


@pytest.mark.anyio
async def test_api_refuses_an_address_too_long(db, client):
    address = "12 Lê Lợi, Phường Bến Nghé, Quận 1, " + "x" * MAX_LENGTH
    response = await client.get(
        "/api/addresses/convert", params={"address": address}, headers={"accept-language": "en"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == f"The address is longer than {MAX_LENGTH} characters."
    assert body["messages"]["vi"] == f"Địa chỉ dài quá {MAX_LENGTH} ký tự."
    assert body["field"] == "address"
