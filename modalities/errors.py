"""Errors a user sees when a file cannot be used."""

import unicodedata


class MediaError(ValueError):
    """A file could not be used as an attachment; the message is for the user, on one line: a file name with
    control characters in it (a newline, an escape) shows them as "?" instead of breaking the line."""

    def __init__(self, message: str) -> None:
        shown = "".join("?" if unicodedata.category(char) == "Cc" else char for char in message)
        super().__init__(shown[:500])
