"""The organizers' and ward officers' console: pages over the same services as the API."""
