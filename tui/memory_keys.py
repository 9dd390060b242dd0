"""The keys that move between the three screens of what mnemo knows: memories, profile, things in photos."""

from __future__ import annotations

from textual.binding import Binding

MEMORY_SCREEN_KEYS = [
    Binding("f5", "app.memories", "Memories"),
    Binding("f6", "app.profile", "Profile"),
    Binding("f7", "app.concepts", "Things"),
]
