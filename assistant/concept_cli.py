"""``mnemo concept …``: register the user's own things from photos, and see, rename or remove them.

``list``, ``show``, ``rename`` and ``rm`` only need SQLite; ``add`` encodes the photos (a few seconds).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from memory.concepts import Concept, ConceptError, ConceptStore
from modalities.errors import MediaError


def add_concept_commands(commands: Any, user_type: Callable[[str], str]) -> None:
    """Add ``concept`` to the ``mnemo`` subcommands."""
    concept = commands.add_parser("concept", help="your own things and pets, recognised in photos")
    actions = concept.add_subparsers(dest="concept_action", metavar="ACTION", required=True)

    def action(name: str, description: str) -> Any:
        parser = actions.add_parser(name, help=description, description=description)
        parser.add_argument("--user", type=user_type, default=argparse.SUPPRESS, help="which user")
        parser.add_argument("--json", action="store_true", help="print JSON")
        return parser

    action("list", "list your concepts")
    show = action("show", "show one concept and its reference photos")
    show.add_argument("name")
    add = action("add", "register a concept from photos, or add photos to one")
    add.add_argument("name", help='its name, e.g. "Bo"')
    add.add_argument("photos", nargs="+", type=Path, help="one or more photos of it (2-4 work best)")
    add.add_argument("--kind", default="", help='what it is, e.g. "dog" (told to the model: "Bo, your dog")')
    add.add_argument("--description", default="", help="a few words about it")
    rename = action("rename", "rename a concept")
    rename.add_argument("name")
    rename.add_argument("new_name")
    remove = action("rm", "delete a concept, or only some of its photos")
    remove.add_argument("name")
    remove.add_argument("--photo", action="append", default=[], metavar="SHA", help="remove only this photo")


def concept_json(concept: Concept) -> dict[str, object]:
    return {
        "name": concept.name,
        "kind": concept.kind,
        "description": concept.description,
        "created_at": concept.created_at,
        "photos": [
            {"sha256": photo.sha256, "path": photo.path, "added_at": photo.added_at} for photo in concept.photos
        ],
    }


def describe_concept(concept: Concept) -> str:
    details = f" — {concept.description}" if concept.description else ""
    plural = "photo" if len(concept.photos) == 1 else "photos"
    return f"{concept.label()}: {len(concept.photos)} {plural}{details}"


def run_concept_command(settings: Settings, user: str, args: argparse.Namespace) -> int:
    """Run ``mnemo concept ACTION`` for ``user``; 1 with a message when it could not."""
    try:
        if args.concept_action == "add":
            return _add(settings, user, args)
        store = ConceptStore(settings.data_dir)
        try:
            return _run(store, user, args)
        finally:
            store.close()
    except (ConceptError, MediaError, OSError) as error:
        print(f"mnemo: {error}", file=sys.stderr)
        return 1


def _run(store: ConceptStore, user: str, args: argparse.Namespace) -> int:
    if args.concept_action == "list":
        concepts = store.list(user)
        if args.json:
            print(json.dumps([concept_json(concept) for concept in concepts], indent=2, ensure_ascii=False))
        elif not concepts:
            print(f"no concepts yet for {user}; try: mnemo concept add Bo --kind dog photo1.jpg photo2.jpg")
        for concept in [] if args.json else concepts:
            print(describe_concept(concept))
        return 0
    if args.concept_action == "show":
        concept = store.require(user, args.name)
        if args.json:
            print(json.dumps(concept_json(concept), indent=2, ensure_ascii=False))
            return 0
        print(describe_concept(concept))
        for photo in concept.photos:
            print(f"  {photo.sha256[:12]}  {photo.added_at}  {photo.path}")
        return 0
    if args.concept_action == "rename":
        concept = store.update(user, args.name, new_name=args.new_name)
        print(f"renamed {args.name} to {concept.name}")
        return 0
    if args.photo:
        removed = sum(store.remove_photo(user, args.name, sha) for sha in args.photo)
        print(f"removed {removed} photo{'s' if removed != 1 else ''} from {args.name}")
        return 0 if removed else 1
    concept = store.delete(user, args.name)
    print(f"deleted {concept.name} ({len(concept.photos)} photos)")
    return 0


def _add(settings: Settings, user: str, args: argparse.Namespace) -> int:
    from assistant.factory import build_assistant

    assistant = build_assistant(settings)
    try:
        print(f"mnemo: reading {len(args.photos)} photo(s)…", file=sys.stderr)
        concept, added = assistant.concepts.register(
            user, args.name, args.photos, kind=args.kind, description=args.description
        )
        concept = assistant.memory.get().concepts.require(user, concept.name)
        if args.json:
            print(json.dumps({**concept_json(concept), "added": added}, indent=2, ensure_ascii=False))
        else:
            print(f"{describe_concept(concept)} ({added} new)")
        return 0
    finally:
        assistant.close()
