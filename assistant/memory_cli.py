"""``mnemo memory …`` and ``mnemo profile …``: see, search, correct and move what mnemo remembers.

Every change goes through :class:`memory.memories.Memories`, so it is journaled and can be undone. The
memory layer (Chroma, the embedding model) is opened inside the command, never at import, so that
``mnemo --help`` stays fast; the profile commands need only SQLite and never open it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from assistant.repair import check_command, open_for_command, reindex_command
from assistant.settings import Settings
from memory.profile import ProfileSection, ProfileStore
from memory.records import Memory, MemoryKind, MemoryStatus

if TYPE_CHECKING:  # importing these loads Chroma: the commands import them when they run
    from memory.journal import MemoryChange
    from memory.system import MemorySystem

MemoryHandler = Callable[["MemorySystem", str, argparse.Namespace], int]
ProfileHandler = Callable[[ProfileStore, str, argparse.Namespace], int]


class CommandError(Exception):
    """A command could not do what was asked; the message says why (printed, exit code 1)."""


def add_memory_commands(commands: Any, user_type: Callable[[str], str]) -> None:
    """Add ``memory`` and ``profile`` to the ``mnemo`` subcommands (``commands`` from ``add_subparsers``)."""
    memory = commands.add_parser("memory", help="list, search, add, edit, delete, export and import memories")
    memory_actions = memory.add_subparsers(dest="memory_action", metavar="ACTION", required=True)
    profile = commands.add_parser("profile", help="show and edit the profile mnemo keeps in every prompt")
    profile_actions = profile.add_subparsers(dest="profile_action", metavar="ACTION", required=True)

    def action(group: Any, name: str, description: str, handler: MemoryHandler | ProfileHandler) -> Any:
        parser = group.add_parser(name, help=description, description=description)
        parser.add_argument(
            "--user", type=user_type, default=argparse.SUPPRESS, help="which user (default: the 'user' setting)"
        )
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.set_defaults(handler=handler)
        return parser

    listing = action(memory_actions, "list", "list memories, oldest first", _list)
    listing.add_argument("--status", choices=["active", "superseded", "deleted", "all"], default="active")
    listing.add_argument("--kind", choices=[kind.value for kind in MemoryKind], help="only memories of this kind")
    search = action(memory_actions, "search", "find memories by meaning and by words", _search)
    search.add_argument("query", nargs="+", help="what to look for")
    search.add_argument("-k", type=int, default=10, metavar="N", help="how many results (default 10)")
    add = action(memory_actions, "add", "remember something", _add)
    add.add_argument("text", nargs="+", help="what to remember")
    add.add_argument(
        "--kind",
        choices=[kind.value for kind in MemoryKind if kind != MemoryKind.EPISODE],
        default="fact",
        help="default: fact",
    )
    add.add_argument("--pin", action="store_true", help="pin it")
    add.add_argument("--importance", type=float, default=0.5, help="0 to 1 (default 0.5)")
    edit = action(memory_actions, "edit", "change a memory's text", _edit)
    edit.add_argument("id")
    edit.add_argument("text", nargs="+", help="the new text")
    action(memory_actions, "rm", "delete a memory (it can be undone)", _remove).add_argument("id")
    action(memory_actions, "pin", "pin a memory", _pin).add_argument("id")
    action(memory_actions, "unpin", "unpin a memory", _pin).add_argument("id")
    action(memory_actions, "history", "every change to a memory", _history).add_argument("id")
    undo = action(memory_actions, "undo", "put a memory back as it was before a change", _undo)
    undo.add_argument("change_id", type=int, metavar="CHANGE_ID", help="a change number from 'history'")
    export = action(memory_actions, "export", "write the user's memories and profile as JSON Lines", _export)
    export.add_argument("file", nargs="?", type=Path, help="where to write (default: stdout)")
    imports = action(memory_actions, "import", "read memories from an export file", _import)
    imports.add_argument("file", type=Path, help="the export file ('-' reads stdin)")
    imports.add_argument(
        "--as-user", type=user_type, help="import it all as this user (default: the user each line names)"
    )
    imports.add_argument("--replace", action="store_true", help="overwrite memories that are already there")
    reindex = action(
        memory_actions,
        "reindex",
        "rebuild Chroma and the word indexes from the journal and the chat history (a damaged index is set aside)",
        reindex_command,
    )
    reindex.add_argument("--all", action="store_true", help="every user, not only this one")
    action(
        memory_actions, "check", "check that the journal and the search indexes agree, and repair them", check_command
    )

    action(profile_actions, "show", "show the profile and the text the prompt gets", _profile_show)
    set_entry = action(profile_actions, "set", "set a profile entry (yours: extraction never overwrites it)", _set)
    set_entry.add_argument("section", type=_section, help="one of: " + ", ".join(ProfileSection))
    set_entry.add_argument("key", help="e.g. name, ana, music, length")
    set_entry.add_argument("value", nargs="+")
    unset = action(profile_actions, "unset", "remove a profile entry", _unset)
    unset.add_argument("section", type=_section, help="one of: " + ", ".join(ProfileSection))
    unset.add_argument("key")


def _section(value: str) -> ProfileSection:
    try:
        return ProfileSection(value.lower().replace("-", "_"))
    except ValueError:
        valid = ", ".join(ProfileSection)
        raise argparse.ArgumentTypeError(f"unknown section {value!r}; valid sections: {valid}") from None


def run_memory_command(settings: Settings, user: str, args: argparse.Namespace) -> int:
    """Run ``mnemo memory ACTION`` or ``mnemo profile ACTION`` for ``user``; 1 when it could not."""
    try:
        if args.command == "profile":
            profile = ProfileStore(settings.data_dir)
            try:
                return int(args.handler(profile, user, args))
            finally:
                profile.close()
        # A progress bar for loading a 90 MB embedder is noise in a one-line command.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        system = open_for_command(settings, repair=args.handler is reindex_command)
        try:
            return int(args.handler(system, user, args))
        finally:
            system.close()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, p['loc'])) or 'value'}: {p['msg']}" for p in error.errors())
        print(f"mnemo: {problems}", file=sys.stderr)
    except (CommandError, LookupError, ValueError, OSError, RuntimeError) as error:
        print(f"mnemo: {error}", file=sys.stderr)
    return 1


# Output


def _print_json(value: object) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _truncate(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Columns padded to their widest cell; the last one (free text) is cut to fit the terminal."""
    widths = [max([len(header), *(len(row[index]) for row in rows)]) for index, header in enumerate(headers[:-1])]
    room = max(shutil.get_terminal_size((100, 24)).columns - sum(widths) - 2 * len(widths), 20)
    for row in [list(headers), *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, _truncate(row[-1], room)]).rstrip())


def _day(memory: Memory) -> str:
    return memory.said_at.astimezone().strftime("%Y-%m-%d")


def _memory_row(memory: Memory) -> list[str]:
    return [memory.id, memory.kind.value, _day(memory), "★" if memory.pinned else "", memory.status.value, memory.text]


MEMORY_HEADERS = ("ID", "KIND", "SAID", "★", "STATUS", "TEXT")


def _change_json(change: MemoryChange) -> dict[str, object]:
    return {"id": change.id, "memory_id": change.memory_id, **change.to_json()}


def _show_memory(memory: Memory, args: argparse.Namespace, message: str) -> int:
    if args.json:
        _print_json(memory.model_dump(mode="json"))
    else:
        print(f"{message} {memory.id}{' ★' if memory.pinned else ''}: {memory.text}")
    return 0


# Memory actions


def _list(system: MemorySystem, user: str, args: argparse.Namespace) -> int:
    status = None if args.status == "all" else MemoryStatus(args.status)
    found = [m for m in system.memories.store.all(user, status) if args.kind in (None, m.kind.value)]
    if args.json:
        _print_json([memory.model_dump(mode="json") for memory in found])
    elif not found:
        print(f"no {'' if status is None else status.value + ' '}memories for {user}")
    else:
        _print_table(MEMORY_HEADERS, [_memory_row(memory) for memory in found])
    return 0


def _search(system: MemorySystem, user: str, args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    now = datetime.now().astimezone()
    found = system.retriever.retrieve(user, query, now=now, k=max(args.k, 1), turns=False)
    if args.json:
        _print_json(
            [
                {
                    "memory": hit.memory.model_dump(mode="json"),
                    "score": round(hit.score, 4),
                    "meaning": round(hit.dense, 4),
                    "words": round(hit.lexical, 4),
                    "linked_via": hit.via or None,
                }
                for hit in found
            ]
        )
    elif not found:
        print(f"no memories of {user} match {query!r}")
    else:
        rows = []
        for hit in found:
            how = "+".join(name for name, score in (("meaning", hit.dense), ("words", hit.lexical)) if score > 0)
            if hit.via:
                how = f"{how}+link {hit.via}" if how else f"link {hit.via}"
            row = _memory_row(hit.memory)
            rows.append([*row[:4], how, row[-1]])
        _print_table(("ID", "KIND", "SAID", "★", "FOUND BY", "TEXT"), rows)
    return 0


def _add(system: MemorySystem, user: str, args: argparse.Namespace) -> int:
    memory = Memory(
        user=user, text=" ".join(args.text), kind=MemoryKind(args.kind), pinned=args.pin, importance=args.importance
    )
    return _show_memory(system.memories.add(memory, reason="added by the user"), args, "remembered")


def _edit(system: MemorySystem, user: str, args: argparse.Namespace) -> int:
    return _show_memory(system.memories.edit(user, args.id, " ".join(args.text)), args, "edited")


def _pin(system: MemorySystem, user: str, args: argparse.Namespace) -> int:
    pinned = args.memory_action == "pin"
    return _show_memory(system.memories.pin(user, args.id, pinned), args, "pinned" if pinned else "unpinned")


def _remove(system: MemorySystem, user: str, args: argparse.Namespace) -> int:
    if system.memories.store.get(user, args.id).status == MemoryStatus.DELETED:
        raise CommandError(f"memory {args.id!r} of {user!r} is already deleted")
    deleted = system.memories.delete(user, args.id)
    system.profile.forget_source(user, deleted.id)  # the profile must not keep what the user took back
    change = system.memories.history(user, deleted.id)[-1]
    if args.json:
        _print_json({"memory": deleted.model_dump(mode="json"), "change_id": change.id})
    else:
        print(f"deleted {deleted.id}: {deleted.text}")
        print(f"undo with: mnemo memory undo {change.id} --user {user}")
    return 0


def _history(system: MemorySystem, user: str, args: argparse.Namespace) -> int:
    changes = system.memories.history(user, args.id)
    if not changes:
        system.memories.store.get(user, args.id)  # says "no memory … for user …" when there is none
    if args.json:
        _print_json([_change_json(change) for change in changes])
        return 0
    rows = []
    for change in changes:
        state = change.after or change.before
        text = state.text if state else ""
        if change.after is not None and change.after.status != MemoryStatus.ACTIVE:
            text = f"[{change.after.status.value}] {text}"
        rows.append([str(change.id), change.action.value, _local_time(change.at), change.reason or "-", text])
    _print_table(("CHANGE", "ACTION", "AT", "REASON", "TEXT"), rows)
    return 0


def _local_time(at: str) -> str:
    return datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _undo(system: MemorySystem, user: str, args: argparse.Namespace) -> int:
    change = system.memories.undo(user, args.change_id)
    restored = change.after
    assert restored is not None  # undo always records the state it restored
    if restored.status != MemoryStatus.ACTIVE:
        system.profile.forget_source(user, restored.id)
    if args.json:
        _print_json(_change_json(change))
    else:
        print(f"undid change {args.change_id}: {restored.id} is {restored.status.value}: {restored.text}")
    return 0


def _export(system: MemorySystem, user: str, args: argparse.Namespace) -> int:
    from memory.transfer import export_memories

    to_stdout = args.file is None or str(args.file) == "-"
    if to_stdout:
        report = export_memories(system, user, sys.stdout)
    else:
        with args.file.open("w", encoding="utf-8") as out:
            report = export_memories(system, user, out)
    where = "stdout" if to_stdout else str(args.file)
    summary = f"exported {report.memories} memories and {report.profile_entries} profile entries of {user} to {where}"
    if args.json and not to_stdout:
        _print_json({"memories": report.memories, "profile_entries": report.profile_entries, "file": where})
    else:
        print(summary, file=sys.stderr)
    return 0


def _import(system: MemorySystem, user: str, args: argparse.Namespace) -> int:
    from memory.transfer import import_memories

    if str(args.file) == "-":
        lines = sys.stdin.read().splitlines()
    else:
        lines = args.file.read_text(encoding="utf-8").splitlines()
    reason = f"imported from {args.file}"
    report = import_memories(system, lines, as_user=args.as_user, replace=args.replace, reason=reason)
    if args.json:
        _print_json({"imported": report.imported, "skipped": report.skipped, "bad": report.bad})
    else:
        skipped = f", skipped {report.skipped} already there (--replace overwrites them)" if report.skipped else ""
        bad = f"{len(report.bad)} bad line{'' if len(report.bad) == 1 else 's'}"
        print(f"imported {report.imported} records{skipped}, {bad}")
        for number, problem in report.bad:
            print(f"  line {number}: {problem}")
    return 1 if report.bad else 0


# Profile actions


def _profile_show(profile: ProfileStore, user: str, args: argparse.Namespace) -> int:
    entries = profile.entries(user)
    text, sources = profile.render(user)
    if args.json:
        _print_json(
            {"entries": [entry.model_dump(mode="json") for entry in entries], "prompt": text, "sources": sources}
        )
    elif not entries:
        print(f"no profile yet for {user}; add to it with: mnemo profile set SECTION KEY VALUE")
    else:
        rows = [
            [e.section.value, e.key, "you" if e.manual else "memory", f"{e.confidence:.2f}", e.value] for e in entries
        ]
        _print_table(("SECTION", "KEY", "FROM", "CONF", "VALUE"), rows)
        print(f"\nin the prompt: {text}")
    return 0


def _set(profile: ProfileStore, user: str, args: argparse.Namespace) -> int:
    entry = profile.set(user, args.section, args.key, " ".join(args.value))
    if args.json:
        _print_json(entry.model_dump(mode="json"))
    else:
        print(f"{user}: {entry.section.value} / {entry.key} = {entry.value}")
    return 0


def _unset(profile: ProfileStore, user: str, args: argparse.Namespace) -> int:
    if not profile.unset(user, args.section, args.key):
        raise CommandError(f"no profile entry {args.section.value} / {args.key!r} for user {user!r}")
    if args.json:
        _print_json({"removed": True, "section": args.section.value, "key": args.key})
    else:
        print(f"{user}: removed {args.section.value} / {args.key}")
    return 0
