"""The keys every screen of what mnemo knows shares: help, and moving between memories, profile and things."""

from __future__ import annotations

from textual.binding import Binding

MEMORY_SCREEN_KEYS = [
    Binding("f1", "app.help", "Help", show=False),
    Binding("f5", "app.memories", "Memories"),
    Binding("f6", "app.profile", "Profile"),
    Binding("f7", "app.concepts", "Things"),
]
