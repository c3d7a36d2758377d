"""Demo data: the plan's real sites, plausible businesses and an account for every role."""
