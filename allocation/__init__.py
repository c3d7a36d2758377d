"""Stall allocation: who sells where at a fair.

`solver` is the pure optimizer (no database, no HTTP); `runs` feeds it a fair's stalls and
applications and keeps each run; `board` is every change by hand; `release` gives a withdrawn
business's stalls back; `api` is the organizers' endpoints. Every write of an assignment is here.
"""
