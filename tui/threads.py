"""Handing a worker thread's result back to the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.dom import DOMNode


def from_thread(node: DOMNode, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run ``callback`` on the UI thread of ``node``'s app; nothing when the app is already shutting down."""
    app = node if isinstance(node, App) else node.app
    try:
        app.call_from_thread(callback, *args, **kwargs)
    except RuntimeError:  # the app is shutting down
        pass
