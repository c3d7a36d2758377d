"""Every handler of vendors, for app.py's route list."""

from vendors.business_api import (
    CategoryController,
    DocumentController,
    MyBusinessController,
    MyDataController,
)
from vendors.pages import PrivacyPage, RegisterPage
from vendors.vetting_api import BusinessesController

ROUTES = [
    RegisterPage,
    PrivacyPage,
    CategoryController,
    MyBusinessController,
    MyDataController,
    DocumentController,
    BusinessesController,
]
