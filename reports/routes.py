"""Every handler of reports, for app.py's route list."""

from reports.api import ReportController

ROUTES = [ReportController]
