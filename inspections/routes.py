"""Every handler of inspections, for app.py's route list."""

from inspections.api import InspectionController, TeamController
from inspections.pages import InspectionPagesController

ROUTES = [TeamController, InspectionController, InspectionPagesController]
