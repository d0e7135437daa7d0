"""Support for victims and families: requests, family advocates, services, peers."""
