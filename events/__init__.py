"""Sites, stall maps, fairs, allocation and calendars."""
