"""Page texts in gettext catalogs.

The message ids are the Vietnamese texts themselves: Vietnamese is the language every page is
written in, and `locale/en/LC_MESSAGES/messages.po` holds the English. The catalog is read from
its `.po` file at start, so nothing is compiled or committed in binary form.
`make messages` extracts new texts from the code and templates into the catalog.
"""

from __future__ import annotations

import gettext as gettext_module
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from litestar import Request
from litestar.types import ASGIApp, Receive, Scope, Send

from core.settings import PROJECT_ROOT

LOCALE_DIR = PROJECT_ROOT / "locale"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: str) -> gettext_module.NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return gettext_module.NullTranslations()
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def current_language() -> str:
    return _language.get()


def gettext(message: str) -> str:
    return translations(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(_language.get()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a text for the catalog where it is defined; gettext() translates it where shown."""
    return message



class use_language:
    """`with use_language("en"):` renders texts in that language (e-mails, PDFs, tests)."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE

    def __enter__(self) -> None:
        self._token = _language.set(self.language)

    def __exit__(self, *exc: object) -> None:
        _language.reset(self._token)


def request_language(request: Request[Any, Any, Any]) -> str:
    """English only when asked for: the `lang` cookie, then the account, then Accept-Language."""
    cookie = request.cookies.get("lang")
    if cookie in {"vi", "en"}:
        return cookie
    principal = request.scope.get("user")
    if principal is not None:
        return principal.language
    accept = request.headers.get("accept-language", "")
    first = accept.split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


def language_middleware(app: ASGIApp) -> ASGIApp:
    """Sets the language of each request (cookie, then account, then Accept-Language) for the
    gettext calls of its templates and handlers. Runs after the session middleware."""
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        token = _language.set(request_language(Request(scope)))
        try:
            await app(scope, receive, send)
        finally:
            _language.reset(token)

    return middleware


def install_in_jinja(engine: Any) -> None:
    """TemplateConfig's engine_callback: `_()` and `{% trans %}` in every template."""
    environment = engine.engine
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(gettext, ngettext, newstyle=True)
