"""Every handler of core, for app.py's route list: accounts, sign-in, password reset, 2FA,
old addresses."""

from core.account_api import AccountController
from core.address_api import convert_old_address
from core.auth import AuthController
from core.health import health
from core.own_account_api import EmailConfirmController, OwnAccountController, OwnAccountPages
from core.password_reset_api import PasswordResetController, PasswordResetPages
from core.sign_in_pages import SignInPages
from core.two_factor_api import TwoFactorController, TwoFactorPages

ROUTES = [
    health,
    AuthController,
    SignInPages,
    PasswordResetController,
    PasswordResetPages,
    OwnAccountController,
    EmailConfirmController,
    OwnAccountPages,
    TwoFactorController,
    TwoFactorPages,
    AccountController,
    convert_old_address,
]
