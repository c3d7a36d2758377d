"""Every page of the business portal, for app.py's route list."""

from portal.business_pages import BusinessPages
from portal.selling_pages import SellingPages

ROUTES = [BusinessPages, SellingPages]
