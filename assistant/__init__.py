"""mnemo: a private personal assistant for the terminal that remembers."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mnemo")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
