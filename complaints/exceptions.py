"""Errors a user (or a careless script) can cause against the record, each turned into a message at the edge."""


class PurgeRefused(Exception):
    """Raised by every path that would delete a record or change a history row."""


class MissingChangeReason(Exception):
    """Raised when a record is written without saying who changed it and why."""
