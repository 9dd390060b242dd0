"""The changes the profile screen makes, each kept with the entry it replaced so that undo puts it back exactly.

They run in the screen's write worker (off the UI thread) and raise ``LookupError`` when the entry is gone
meanwhile (deleted by extraction, say).
"""

from __future__ import annotations

from dataclasses import dataclass

from memory.profile import ProfileEntry, ProfileSection, ProfileStore
from tui.screens.pick_section import section_label


def entry_title(entry: ProfileEntry) -> str:
    return f"{section_label(entry.section)} › {entry.key}"


@dataclass(frozen=True)
class ProfileChange:
    """One change made on this screen and the entry it replaced, so undo can put it back exactly."""

    done: str
    """What happened, as told to the user: "Deleted Likes › coffee"."""
    before: ProfileEntry | None
    """The entry as it was; None when the change added it."""
    after: ProfileEntry | None
    """The entry as it is now; None when the change deleted it."""

    def undo(self, store: ProfileStore) -> None:
        if self.before is not None:
            store.put(self.before)
        elif self.after is not None:
            store.unset(self.after.user, self.after.section, self.after.key)


def current(store: ProfileStore, user: str, entry: ProfileEntry) -> ProfileEntry:
    found = store.get(user, entry.section, entry.key)
    if found is None:
        raise LookupError(f"{entry_title(entry)} is no longer in the profile")
    return found


def edit_value(store: ProfileStore, user: str, entry: ProfileEntry, value: str) -> ProfileChange:
    before = current(store, user, entry)
    after = store.set(user, before.section, before.key, value, sources=before.sources)
    return ProfileChange(f"Saved {entry_title(after)} as your edit", before, after)


def add_entry(store: ProfileStore, user: str, section: ProfileSection, key: str, value: str) -> ProfileChange:
    before = store.get(user, section, key)
    after = store.set(user, section, key, value)
    return ProfileChange(f"Added {entry_title(after)}", before, after)


def delete_entry(store: ProfileStore, user: str, entry: ProfileEntry) -> ProfileChange:
    before = current(store, user, entry)
    store.unset(user, before.section, before.key)
    return ProfileChange(f"Deleted {entry_title(before)}", before, None)


def toggle_lock(store: ProfileStore, user: str, entry: ProfileEntry) -> ProfileChange:
    before = current(store, user, entry)
    after = store.put(before.model_copy(update={"manual": not before.manual}))
    done = "Locked" if after.manual else "Unlocked (mnemo may update it)"
    return ProfileChange(f"{done}: {entry_title(after)}", before, after)
