"""Personal visual concepts: the user's own dog, mug or bike, registered from a few photos.

A concept is a name, a kind ("dog"), a description and reference photos; each photo keeps the feature
vectors the vision encoder made of it (several augmented views), so recognising needs no re-encoding.
Stored in ``memory.sqlite3`` beside the journal; the photo files themselves live in the attachment store.
"""

from __future__ import annotations

import builtins
import re
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from memory.users import validate_user_name

if TYPE_CHECKING:
    import numpy as np

SCHEMA = """
CREATE TABLE IF NOT EXISTS concepts (
    user TEXT NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user, key)
);
"""
# Reference photos and counter-examples ("that's not Bo") are stored alike: the same columns, read and written
# by the same code.
PHOTO_TABLES = ("concept_photos", "concept_counter_examples")
PHOTO_TABLE = """
CREATE TABLE IF NOT EXISTS {table} (
    user TEXT NOT NULL,
    key TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    dimension INTEGER NOT NULL,
    vectors BLOB NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (user, key, sha256)
);
"""
SCHEMA += "".join(PHOTO_TABLE.format(table=table) for table in PHOTO_TABLES)

CONCEPT_NAME = re.compile(r"^[^\W_][\w' .-]{0,39}$")


class ConceptError(ValueError):
    """A concept operation that cannot be done; the message is for the user."""


def concept_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def validate_concept_name(name: str) -> str:
    name = " ".join(name.split())
    if not CONCEPT_NAME.fullmatch(name):
        raise ConceptError(f"{name!r} cannot be a concept name: use 1-40 letters, digits, spaces, ' . or -.")
    return name


@dataclass(frozen=True)
class ConceptPhoto:
    sha256: str
    path: str
    added_at: str


@dataclass(frozen=True)
class Concept:
    user: str
    name: str
    kind: str
    description: str
    created_at: str
    photos: tuple[ConceptPhoto, ...] = ()

    def label(self) -> str:
        """How the model is told about it: "Bo (your dog)"."""
        return f"{self.name} (your {self.kind})" if self.kind else self.name


class ConceptStore:
    """Thread-safe concept storage; ``version(user)`` changes whenever that user's concepts change."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(data_dir / "memory.sqlite3", check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._versions: dict[str, int] = {}
        with self._lock:
            self._db.execute("PRAGMA journal_mode = WAL")
            with self._db:
                self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def version(self, user: str) -> int:
        return self._versions.get(user, 0)

    def _changed(self, user: str) -> None:
        self._versions[user] = self._versions.get(user, 0) + 1

    # reading ---------------------------------------------------------------------------------------
    def get(self, user: str, name: str) -> Concept | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM concepts WHERE user = ? AND key = ?", (user, concept_key(name))
            ).fetchone()
            return self._concept(row) if row else None

    def require(self, user: str, name: str) -> Concept:
        concept = self.get(user, name)
        if concept is None:
            known = ", ".join(c.name for c in self.list(user)) or "none yet"
            raise ConceptError(f"No concept called {name!r} (known: {known}).")
        return concept

    def list(self, user: str) -> list[Concept]:  # noqa: A003
        with self._lock:
            rows = self._db.execute("SELECT * FROM concepts WHERE user = ? ORDER BY key", (user,)).fetchall()
            return [self._concept(row) for row in rows]

    def _concept(self, row: sqlite3.Row) -> Concept:
        photos = self._db.execute(
            "SELECT sha256, path, added_at FROM concept_photos WHERE user = ? AND key = ? ORDER BY added_at, rowid",
            (row["user"], row["key"]),
        ).fetchall()
        return Concept(
            row["user"],
            row["name"],
            row["kind"],
            row["description"],
            row["created_at"],
            tuple(ConceptPhoto(photo["sha256"], photo["path"], photo["added_at"]) for photo in photos),
        )

    def examples(self, user: str) -> builtins.list[tuple[str, builtins.list[np.ndarray]]]:
        """Every concept's reference photos as vectors: ``[(name, [array (views, dimension) per photo]), …]``."""
        return list(self._vectors(user, "concept_photos").items())

    def counter_examples(self, user: str) -> dict[str, builtins.list[np.ndarray]]:
        """Per concept name, the vectors of photos the user said are not it ("that's not Bo")."""
        return self._vectors(user, "concept_counter_examples")

    def _vectors(self, user: str, table: str) -> dict[str, builtins.list[np.ndarray]]:
        import numpy as np

        assert table in PHOTO_TABLES
        with self._lock:
            names = {
                row["key"]: row["name"]
                for row in self._db.execute("SELECT key, name FROM concepts WHERE user = ?", (user,))
            }
            rows = self._db.execute(
                f"SELECT key, dimension, vectors FROM {table} WHERE user = ? ORDER BY key, rowid", (user,)
            ).fetchall()
        grouped: dict[str, list[np.ndarray]] = {}
        for row in rows:
            vectors = np.frombuffer(row["vectors"], dtype=np.float32).reshape(-1, row["dimension"])
            grouped.setdefault(row["key"], []).append(vectors)
        return {names[key]: parts for key, parts in grouped.items() if key in names}

    # writing ---------------------------------------------------------------------------------------
    def create(self, user: str, name: str, kind: str = "", description: str = "") -> Concept:
        validate_user_name(user)
        name = validate_concept_name(name)
        if self.get(user, name) is not None:
            raise ConceptError(f"There is already a concept called {name!r}; add photos to it instead.")
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO concepts(user, key, name, kind, description, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (user, concept_key(name), name, kind.strip().lower(), description.strip(), _now()),
            )
            self._changed(user)
        return self.require(user, name)

    def add_photo(self, user: str, name: str, sha256: str, path: str, vectors: np.ndarray) -> bool:
        """Add a reference photo with its feature vectors; ``False`` if the concept already has it."""
        return self._add_vectors("concept_photos", user, name, sha256, path, vectors)

    def add_counter_example(self, user: str, name: str, sha256: str, path: str, vectors: np.ndarray) -> bool:
        """Keep a photo the user said is not ``name``; ``False`` if it was already kept."""
        return self._add_vectors("concept_counter_examples", user, name, sha256, path, vectors)

    def _add_vectors(self, table: str, user: str, name: str, sha256: str, path: str, vectors: np.ndarray) -> bool:
        import numpy as np

        assert table in PHOTO_TABLES
        concept = self.require(user, name)
        array = np.ascontiguousarray(vectors, dtype=np.float32)
        if array.ndim == 1:
            array = array[None, :]
        with self._lock, self._db:
            cursor = self._db.execute(
                f"INSERT OR IGNORE INTO {table}(user, key, sha256, path, dimension, vectors, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (user, concept_key(concept.name), sha256, path, array.shape[1], array.tobytes(), _now()),
            )
            self._changed(user)
        return cursor.rowcount > 0

    def remove_photo(self, user: str, name: str, sha256_prefix: str) -> int:
        concept = self.require(user, name)
        with self._lock, self._db:
            cursor = self._db.execute(
                "DELETE FROM concept_photos WHERE user = ? AND key = ? AND sha256 LIKE ?",
                (user, concept_key(concept.name), sha256_prefix + "%"),
            )
            self._changed(user)
        return cursor.rowcount

    def update(
        self,
        user: str,
        name: str,
        *,
        new_name: str | None = None,
        kind: str | None = None,
        description: str | None = None,
    ) -> Concept:
        concept = self.require(user, name)
        target = validate_concept_name(new_name) if new_name else concept.name
        if concept_key(target) != concept_key(concept.name) and self.get(user, target) is not None:
            raise ConceptError(f"There is already a concept called {target!r}.")
        with self._lock, self._db:
            old_key, new_key = concept_key(concept.name), concept_key(target)
            self._db.execute(
                "UPDATE concepts SET key = ?, name = ?, kind = ?, description = ? WHERE user = ? AND key = ?",
                (
                    new_key,
                    target,
                    concept.kind if kind is None else kind.strip().lower(),
                    concept.description if description is None else description.strip(),
                    user,
                    old_key,
                ),
            )
            for table in PHOTO_TABLES:
                self._db.execute(f"UPDATE {table} SET key = ? WHERE user = ? AND key = ?", (new_key, user, old_key))
            self._changed(user)
        return self.require(user, target)

    def delete(self, user: str, name: str) -> Concept:
        concept = self.require(user, name)
        with self._lock, self._db:
            for table in (*PHOTO_TABLES, "concepts"):
                self._db.execute(f"DELETE FROM {table} WHERE user = ? AND key = ?", (user, concept_key(concept.name)))
            self._changed(user)
        return concept


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
