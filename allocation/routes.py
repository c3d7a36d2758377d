"""Every handler of allocation, for app.py's route list."""

from allocation.api import FairAllocationController

ROUTES = [FairAllocationController]
