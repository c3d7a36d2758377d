"""Page texts come from gettext catalogs: every text of the code and templates has its English,
and a page speaks Vietnamese unless English is asked for."""

from __future__ import annotations

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from core.i18n import LOCALE_DIR, gettext, use_language
from tests.conftest import PROJECT_ROOT

KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
METHODS = [
    ("**/.venv/**", "ignore"),
    ("**/node_modules/**", "ignore"),
    ("tests/**", "ignore"),
    ("bench/**", "ignore"),
    ("**.py", "python"),
    ("templates/**.html", "jinja2"),
]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def english_catalog():
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale="en")


def test_every_text_of_the_pages_has_its_english() -> None:
    catalog = english_catalog()
    found = {
        (message if isinstance(message, str) else message[0])
        for _, _, message, _, _ in extract_from_dir(
            PROJECT_ROOT, METHODS, OPTIONS, KEYWORDS, strip_comment_tags=True
        )
    }
    assert found, "no texts found: the extraction is not looking in the right place"
    untranslated = sorted(
        text for text in found if not (catalog.get(text) and catalog.get(text).string)
    )
    assert untranslated == [], "run `make messages` and translate:\n" + "\n".join(untranslated)
    fuzzy = sorted(m.id for m in catalog if m.id and m.fuzzy)
    assert fuzzy == []


def test_gettext_follows_the_language_in_use() -> None:
    assert gettext("Đăng nhập") == "Đăng nhập"
    with use_language("en"):
        assert gettext("Đăng nhập") == "Sign in"
    with use_language("fr"):  # an unknown language falls back to Vietnamese
        assert gettext("Đăng nhập") == "Đăng nhập"



@pytest.mark.anyio
async def test_pages_speak_vietnamese_unless_english_is_asked_for(client) -> None:
    page = await client.get("/login")
    assert "Đăng nhập" in page.text and 'lang="vi"' in page.text

    by_header = await client.get("/login", headers={"accept-language": "en-GB,en;q=0.8"})
    assert "Sign in" in by_header.text and 'lang="en"' in by_header.text

    switched = await client.get("/lang/en?next=/login")
    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    remembered = await client.get("/login")
    assert "Sign in" in remembered.text and "Đăng nhập" not in remembered.text
