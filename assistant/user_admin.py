"""``mnemo user list`` and ``mnemo user delete NAME``: deleting a user removes every byte of theirs.

What goes: messages, sessions, reply contexts and the memory backlog (``mnemo.sqlite3``); memories, their
journal, the word indexes, the profile and concepts (``memory.sqlite3``); both Chroma collections; the
attachment files no other user shares. Each SQLite file is then vacuumed and its WAL emptied, so the bytes
are gone from disk, not only the rows (see :mod:`memory.erase`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.factory import Assistant


@dataclass(frozen=True)
class UserDeletion:
    user: str
    memory_rows: int
    files_removed: int
    server_note: str = ""
    """On a Chroma server: what its operator must run for the freed bytes to leave its disk."""


def delete_user(assistant: Assistant, user: str) -> UserDeletion:
    """Erase ``user`` from the history, memory, Chroma and attachments. Raises ``LookupError`` for nobody."""
    from assistant.adapter import user_adapter_dir
    from memory.erase import concept_photos_by_user, erase_user_rows, scrub_chroma_folder

    settings = assistant.settings
    memory_db = settings.data_dir / "memory.sqlite3"
    photos = concept_photos_by_user(memory_db)
    system = assistant.memory.get()
    known = [*assistant.store.list_users(), *photos, *system.memories.journal.users()]
    if user not in known:
        raise LookupError(f"no user named {user!r}")
    shared = {sha256 for owner, hashes in photos.items() if owner != user for sha256 in hashes}
    with system.writer.lock:
        system.memories.store.drop_user(user)
        system.episodes.store.drop_user(user)
        system.writer.forget_user(user)
        system.retriever.forget_user(user)
        rows = erase_user_rows(memory_db, user)
    files = assistant.store.delete_user(user, photos.get(user, set()), shared)
    for path in files:
        path.unlink(missing_ok=True)
    own_adapter = user_adapter_dir(settings.data_dir, user)  # trained on their rated replies (mnemo adapt)
    if own_adapter.exists():
        files.extend(path for path in own_adapter.rglob("*") if path.is_file())
        shutil.rmtree(own_adapter)
    note = ""
    if settings.memory.chroma_url:
        note = (
            f"the collections are deleted on the Chroma server at {settings.memory.chroma_url}; for their bytes to "
            "leave its disk, stop it and run 'chroma vacuum --path DIR --force' and then "
            "'mnemo user scrub-chroma DIR' on its persist dir"
        )
    else:
        scrub_chroma_folder(settings.data_dir / "chroma")
    return UserDeletion(user, rows, len(files), note)


def add_user_commands(commands: Any, user_type: Callable[[str], str]) -> None:
    users = commands.add_parser("user", help="list users, or delete one and everything of theirs")
    actions = users.add_subparsers(dest="user_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the users with chats or memories")
    listing.add_argument("--json", action="store_true", help="print JSON")
    delete = actions.add_parser(
        "delete",
        help="delete a user: chats, memories, profile, concepts and attachments, for good",
        description="Delete a user and every byte of theirs from the data dir (no undo: export first if unsure).",
    )
    delete.add_argument("name", type=user_type, help="the user to delete")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.add_argument("--json", action="store_true", help="print what was deleted as JSON")
    scrub = actions.add_parser(
        "scrub-chroma",
        help="on a Chroma server's machine, after 'chroma vacuum': remove what deleted users left in its folder",
        description="Chroma leaves the folders of deleted collections on its disk, and they can hold bytes of "
        "what was stored. Stop the server, run 'chroma vacuum --path DIR --force', then this on the same DIR: it "
        "vacuums the server's database again and removes the folders no collection uses.",
    )
    scrub.add_argument("path", type=Path, help="the Chroma server's persist dir (its --path)")


def run_user_command(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.factory import build_assistant

    if args.user_action == "scrub-chroma":
        if not (args.path / "chroma.sqlite3").is_file():
            print(f"mnemo: {args.path} is not a Chroma persist dir (no chroma.sqlite3 in it)", file=sys.stderr)
            return 2
        from memory.erase import scrub_chroma_folder

        removed = scrub_chroma_folder(args.path)
        print(f"scrubbed {args.path}: database vacuumed, {removed} unused segment folders removed")
        return 0
    if args.user_action == "delete" and not args.yes and not _confirmed(args.name):
        print("mnemo: nothing deleted", file=sys.stderr)
        return 1
    assistant = build_assistant(settings)
    try:
        if args.user_action == "list":
            names = assistant.store.list_users()
            print(json.dumps(names) if args.json else "\n".join(names) or "no users yet")
            return 0
        try:
            deletion = delete_user(assistant, args.name)
        except LookupError as error:
            print(f"mnemo: {error}; see 'mnemo user list'", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(asdict(deletion)))
        else:
            print(f"deleted {deletion.user}: {deletion.memory_rows} memory rows, {deletion.files_removed} files")
        if deletion.server_note:
            print(f"mnemo: {deletion.server_note}", file=sys.stderr)
        return 0
    finally:
        assistant.close()


def _confirmed(name: str) -> bool:
    if not sys.stdin.isatty():
        print(f"mnemo: deleting {name} cannot be undone; pass --yes to confirm", file=sys.stderr)
        return False
    answer = input(f"Delete {name} and all their chats, memories, profile and photos for good? Type the name: ")
    return answer.strip() == name
