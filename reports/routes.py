"""Every handler of reports, for app.py's route list."""

from reports.controllers import ReportController

ROUTES = [ReportController]
