"""Pass tables arrive with the passes feature; the app is registered so migrations keep order."""
