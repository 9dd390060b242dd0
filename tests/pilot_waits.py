"""Pilot tests must not depend on the machine's load: wait for the app's workers, and for snapshots stop cursors
blinking."""

from __future__ import annotations

from textual.widgets import Input, TextArea


async def settle(pilot) -> None:
    """Let the app's workers finish and their results reach the screen (a worker may start another: a reload
    after a change, a highlight)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def steady(pilot) -> None:
    """Let start-up workers finish, then hold every cursor still (visible where focused).

    On a loaded machine the half-second blink timer can fire before the screenshot, so the same screen was saved
    with or without its cursor (a CI failure of ``test_chat_with_a_markdown_reply``), and a footer could still
    show the keys of the screen below a dialog.
    """
    await settle(pilot)
    screens = pilot.app.screen_stack
    for widget in (area for screen in screens for area in screen.query(TextArea)):
        widget.cursor_blink = False
        # TextArea caches lines under one key for "blinked off" and "not blinking": drop the cache, or a line
        # drawn in the off phase of the blink stays without its cursor.
        widget.notify_style_update()
        widget.refresh()
    for field in (field for screen in screens for field in screen.query(Input)):
        field.cursor_blink = False
    for screen in screens[:-1]:  # screens under a dialog are painted again, not left half-updated
        screen.refresh(repaint=True, layout=True)
    for _ in range(3):  # a few screen refreshes, so work queued "after refresh" (the footer's keys) lands too
        await pilot.pause(0.05)
        await pilot.pause()
