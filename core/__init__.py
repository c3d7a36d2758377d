"""Shared foundation: settings, database engine, accounts, roles, auth and errors."""
