"""Passes, signing, PDF rendering and gate check-in."""
