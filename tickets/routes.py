"""Every handler of tickets, for app.py's route list."""

from tickets.api import CheckInController, FairPassesController, MyPassesController
from tickets.business_feed import business_feed
from tickets.gate_pages import gate_page, gate_service_worker
from tickets.gate_staff_api import FairGateStaffController, SiteGateStaffController

ROUTES = [
    MyPassesController,
    FairPassesController,
    CheckInController,
    FairGateStaffController,
    SiteGateStaffController,
    business_feed,
    gate_page,
    gate_service_worker,
]
