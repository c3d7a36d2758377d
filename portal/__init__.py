"""The business portal (/business): what a business does, across the domains, in its own pages;
as console/ is the organizers'. It composes the domains and is imported by none of them."""
