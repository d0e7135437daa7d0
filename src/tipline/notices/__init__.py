"""Notices to companies: take-down requests for the places an image is posted, grouped by
platform, sent by the victim or by an analyst, and tracked until the content is gone."""
