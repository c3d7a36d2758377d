"""The first web pages: home, sign-in, sign-out and the language switch."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlsplit

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from core.auth import provide_throttle, sign_in, sign_out
from core.errors import AppError, request_language
from core.throttle import LoginThrottle
from core.timezone import local, today_local
from events.services import list_sites, list_wards
from events.tables import SETTING_LABELS

WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_label(moment: dt.datetime, lang: str) -> str:
    """“Chủ nhật, 13/12/2026”: the way dates are written in Vietnamese."""
    day = local(moment)
    names = WEEKDAYS_EN if lang == "en" else WEEKDAYS
    return f"{names[day.weekday()]}, {day:%d/%m/%Y}"


class LoginForm(msgspec.Struct):
    email: str = ""
    password: str = ""
    next: str = "/"
    code: str = ""  # two-factor sign-in: the app's code or a recovery code
    # "recovery" or "app": which kind of code the second step asks for; no sign-in attempt.
    switch: str = ""
    recovery: str = ""


def safe_next(target: str) -> str:
    """Only same-site paths: a crafted ?next= must not send people to another site."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def page_context(request: Request[Any, Any, Any], **extra: Any) -> dict[str, Any]:
    lang = request_language(request)

    def pick(pair: tuple[str, str]) -> str:
        """A (Vietnamese, English) label of the data, such as a site's setting."""
        return pair[1] if lang == "en" else pair[0]

    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return {
        "lang": lang,
        "pick": pick,
        "user": request.scope.get("user"),
        "request_path": path,
        **extra,
    }


class WebController(Controller):
    include_in_schema = False
    dependencies = {"throttle": Provide(provide_throttle, sync_to_thread=False)}

    @get("/")
    async def home(self, request: Request[Any, Any, Any]) -> Template:
        from events.calendar_api import subscribe_links
        from events.fairs import list_fairs

        lang = request_language(request)
        today = today_local()
        fairs = await list_fairs(today, today + dt.timedelta(days=90))
        upcoming = [
            {
                "fair": f,
                "day": day_label(dt.datetime.fromisoformat(f.start), lang),
                "hours": f"{f.start[11:16]}–{f.end[11:16]}",
            }
            for f in fairs
        ]
        return Template(
            "home.html",
            context=page_context(
                request,
                sites=await list_sites(),
                wards=await list_wards(),
                setting_labels=SETTING_LABELS,
                upcoming=upcoming,
                links=subscribe_links("/calendar.ics"),
            ),
        )

    @get("/login")
    async def login_page(
        self, request: Request[Any, Any, Any], next: FromQuery[str] = "/"
    ) -> Template:
        return Template("login.html", context=page_context(request, form=LoginForm(next=next)))

    @post("/login", status_code=303)
    async def login_submit(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
        throttle: NamedDependency[LoginThrottle],
    ) -> Response[Any]:
        code = "" if data.switch else data.code
        try:
            _, cookie = await sign_in(request, data.email, data.password, throttle, code=code)
        except AppError as exc:
            lang = request_language(request)
            second_factor = exc.extra.get("second_factor") if isinstance(exc.extra, dict) else None
            recovery = (data.switch or ("recovery" if data.recovery else "app")) == "recovery"
            # The second step posts the password again (hidden) rather than leaving a
            # half-signed-in state on the server: one sign_in() checks both factors, with one
            # throttle, and nothing is left to expire or steal. The page is not cached.
            context = page_context(
                request,
                form=LoginForm(
                    email=data.email,
                    password=data.password if second_factor else "",
                    next=data.next,
                    recovery="1" if recovery else "",
                ),
                second_factor=second_factor,
                error=exc.en if lang == "en" else exc.vi,
            )
            return Template(
                "login.html",
                context=context,
                status_code=exc.status_code,
                headers={**(exc.headers or {}), "cache-control": "no-store"},
            )
        return Redirect(safe_next(data.next), status_code=303, cookies=[cookie])

    @post("/logout", status_code=303)
    async def logout_submit(self, request: Request[Any, Any, Any]) -> Redirect:
        return Redirect("/", status_code=303, cookies=[await sign_out(request)])

    @get("/lang/{code:str}")
    async def switch_language(self, code: FromPath[str], next: FromQuery[str] = "/") -> Redirect:
        lang = code if code in {"vi", "en"} else "vi"
        cookie = Cookie(key="lang", value=lang, max_age=365 * 24 * 3600, samesite="lax", path="/")
        return Redirect(safe_next(next), status_code=303, cookies=[cookie])
