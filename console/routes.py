"""Every console page controller, for app.py's route list."""

from console.accounts import ConsoleAccountsController
from console.applications import ConsoleApplicationsController
from console.board import ConsoleBoardController
from console.businesses import ConsoleBusinessesController
from console.checkin import ConsoleCheckInController
from console.dashboard import DashboardController
from console.fairs import ConsoleFairsController
from console.passes import ConsolePassesController
from console.reports import ConsoleReportsController

ROUTES = [
    DashboardController,
    ConsoleBusinessesController,
    ConsoleFairsController,
    ConsoleApplicationsController,
    ConsoleBoardController,
    ConsolePassesController,
    ConsoleCheckInController,
    ConsoleReportsController,
    ConsoleAccountsController,
]
