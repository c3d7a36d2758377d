"""The sign-in and sign-out forms and the language switch."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from core.auth import provide_throttle, sign_in, sign_out
from core.errors import AppError
from core.i18n import request_language
from core.templating import page_context, safe_next
from core.throttle import LoginThrottle


class LoginForm(msgspec.Struct):
    email: str = ""
    password: str = ""
    next: str = "/"
    code: str = ""  # two-factor sign-in: the app's code or a recovery code
    # "recovery" or "app": which kind of code the second step asks for; no sign-in attempt.
    switch: str = ""
    recovery: str = ""


class SignInPages(Controller):
    include_in_schema = False
    dependencies = {"throttle": Provide(provide_throttle, sync_to_thread=False)}

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
