"""Every handler of events, for app.py's route list."""

from events.application_api import ApplicationController, FairApplicationController
from events.calendar_api import CALENDAR_ROUTES
from events.fair_api import FairController, SeriesController
from events.pages import PUBLIC_PAGES
from events.places_api import OrganizerController, SiteController, WardController
from events.refusal_api import RefusalController
from events.sharing import SHARING_ROUTES
from events.stall_api import FairMapController, SiteMapController

ROUTES = [
    WardController,
    OrganizerController,
    RefusalController,
    SiteController,
    SiteMapController,
    FairController,
    SeriesController,
    FairMapController,
    FairApplicationController,
    ApplicationController,
    *CALENDAR_ROUTES,
    *PUBLIC_PAGES,
    *SHARING_ROUTES,
]
