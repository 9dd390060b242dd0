import sqlite3
from pathlib import Path

import pytest

from assistant.history import MIGRATIONS, HistoryStore
from assistant.history_records import UnknownSessionError

from .conftest import SHARED_DATA


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    return HistoryStore(tmp_path / "data")


def test_new_database_is_migrated_to_the_latest_version(store: HistoryStore) -> None:
    assert store.schema_version == len(MIGRATIONS)


def test_reopening_keeps_data_and_does_not_migrate_twice(tmp_path: Path) -> None:
    first = HistoryStore(tmp_path / "data")
    session = first.create_session("alice")
    first.add_message(session.id, "user", "hello")
    first.close()
    again = HistoryStore(tmp_path / "data")
    assert [m.content for m in again.messages(session.id)] == ["hello"]
    assert again.schema_version == len(MIGRATIONS)


def test_sessions_belong_to_one_user(store: HistoryStore) -> None:
    alice = store.create_session("alice")
    store.create_session("bob")
    assert [s.id for s in store.list_sessions("alice")] == [alice.id]
    with pytest.raises(UnknownSessionError):
        store.get_session("bob", alice.id)
    assert store.list_users() == ["alice", "bob"]


def test_user_names_are_validated_before_anything_is_written(store: HistoryStore) -> None:
    with pytest.raises(ValueError):
        store.create_session("../../etc")
    assert store.list_users() == []


def test_messages_keep_order_status_and_counts(store: HistoryStore) -> None:
    session = store.create_session("alice")
    store.add_message(session.id, "user", "one")
    store.add_message(session.id, "assistant", "partial", status="cancelled", model="fake", completion_tokens=3)
    messages = store.messages(session.id)
    assert [(m.role, m.content, m.status) for m in messages] == [
        ("user", "one", "complete"),
        ("assistant", "partial", "cancelled"),
    ]
    assert store.get_session("alice", session.id).message_count == 2


def test_roles_are_constrained_by_the_schema(store: HistoryStore) -> None:
    session = store.create_session("alice")
    with pytest.raises(sqlite3.IntegrityError):
        store.add_message(session.id, "system", "not stored")


def test_attachments_are_stored_once_by_sha256(store: HistoryStore, tmp_path: Path) -> None:
    photo = SHARED_DATA / "images" / "chelsea.png"
    copy = tmp_path / "same-photo-other-name.png"
    copy.write_bytes(photo.read_bytes())
    first = store.store_attachment(photo, "image")
    second = store.store_attachment(copy, "image")
    assert first.sha256 == second.sha256
    assert first.path.read_bytes() == photo.read_bytes()
    assert len(list(store.attachments_dir.rglob("*.png"))) == 1
    session = store.create_session("alice")
    message_id = store.add_message(session.id, "user", "look", attachment_hashes=(first.sha256,))
    assert [a.sha256 for a in store.message_attachments(message_id)] == [first.sha256]
    assert first.mime_type == "image/png"


def test_latest_empty_session_is_reused_not_piled_up(store: HistoryStore) -> None:
    empty = store.create_session("alice")
    assert store.latest_empty_session("alice") == empty
    store.add_message(empty.id, "user", "now it has a message")
    assert store.latest_empty_session("alice") is None


def test_input_history_spans_sessions_but_not_users(store: HistoryStore) -> None:
    for user, texts in (("alice", ["a1", "a2"]), ("bob", ["b1"]), ("alice", ["a3"])):
        session = store.create_session(user)
        for text in texts:
            store.add_message(session.id, "user", text)
            store.add_message(session.id, "assistant", "reply")
    assert store.recent_user_messages("alice") == ["a1", "a2", "a3"]
    assert store.recent_user_messages("alice", limit=2) == ["a2", "a3"]
    assert store.recent_user_messages("bob") == ["b1"]
