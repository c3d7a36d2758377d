"""Every handler of inspections, for app.py's route list."""

from inspections.controllers import InspectionController, TeamController
from inspections.pages import InspectionPagesController

ROUTES = [TeamController, InspectionController, InspectionPagesController]
