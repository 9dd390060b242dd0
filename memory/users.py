"""User names: they become storage keys (Chroma collections, file names), so only safe ones pass."""

from __future__ import annotations

import re

USER_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


def validate_user_name(name: str) -> str:
    """Return ``name`` if it is a safe user name, else raise ``ValueError`` saying what is allowed.

    User names end up in file paths and collection names, so only letters, digits, ``_`` and ``-``
    (1–32 characters, starting with a letter or digit) are accepted: no ``..``, slashes or spaces.
    """
    if not USER_NAME_PATTERN.fullmatch(name):
        raise ValueError(
            f"invalid user name {name!r}: use 1-32 letters, digits, '_' or '-', starting with a letter or digit"
        )
    return name
