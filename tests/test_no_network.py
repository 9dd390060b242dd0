"""No network: a chat (memory, a photo, the turn runner) opens no socket other than loopback.

Python's audit hooks see every connect and name lookup made through the socket module; the hook records
them only while a test listens. (The model-using tests also pass under ``../shared/tools/offline``, which
takes the network away entirely: see the README.)"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Iterator

import pytest

from assistant.factory import build_assistant
from assistant.models.fake import FakeChatModel
from assistant.settings import load_settings
from assistant.turn import TurnOutcome, run_turn
from tests.conftest import SHARED_DATA

_listening: list[list[tuple[str, object]]] = []


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _listening and event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
        _listening[-1].append((event, args[1] if event == "socket.connect" else args[0]))


sys.addaudithook(_audit)


@pytest.fixture
def network_use() -> Iterator[list[tuple[str, object]]]:
    seen: list[tuple[str, object]] = []
    _listening.append(seen)
    yield seen
    _listening.remove(seen)


def is_loopback(target: object) -> bool:
    host = target[0] if isinstance(target, tuple) else target
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str) or host.startswith("/"):  # a Unix socket path is local
        return True
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def test_the_hook_sees_a_connection(network_use) -> None:
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = server.getsockname()
        with socket.create_connection(address):
            pass
    assert [target for event, target in network_use if event == "socket.connect"] == [address]


def test_a_chat_with_memory_and_a_photo_opens_no_socket_but_loopback(network_use) -> None:
    assistant = build_assistant(load_settings(model={"backend": "fake"}), model=FakeChatModel())
    conversation = assistant.conversation("ana")
    photo = assistant.attachments.prepare(SHARED_DATA / "images" / "coffee.png", "ana")
    for text in ("My sister Ana lives in Porto.", "Where does my sister live?"):
        assert run_turn(conversation, text).outcome == TurnOutcome.FINISHED
    assert run_turn(conversation, "What is this?", attachments=[photo.context()]).outcome == TurnOutcome.FINISHED
    assistant.close()
    assert [target for _, target in network_use if not is_loopback(target)] == []
