"""Errors a user sees when a file cannot be used."""


class MediaError(ValueError):
    """A file could not be used as an attachment; the message is for the user."""
