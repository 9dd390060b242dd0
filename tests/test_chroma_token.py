"""A Chroma server behind an authenticating proxy: mnemo sends the token, and never shows it."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from memory.store import make_chroma_client
from tests.test_cli import run_mnemo


def test_the_token_goes_to_the_server_as_a_bearer_header(tmp_path: Path) -> None:
    seen: list[str | None] = []

    class Proxy(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server hook's name
            seen.append(self.headers.get("Authorization"))
            self.send_response(401)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    proxy = HTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        with pytest.raises(Exception):  # noqa: B017, PT011 - the proxy refuses everything; chroma's error type varies
            make_chroma_client(tmp_path, f"http://127.0.0.1:{proxy.server_port}", "s3cret-token").list_collections()
    finally:
        proxy.shutdown()
    assert seen and seen[0] == "Bearer s3cret-token"


def test_doctor_says_a_token_is_set_and_never_prints_it() -> None:
    env = {"MNEMO_MEMORY__CHROMA_URL": "http://127.0.0.1:9", "MNEMO_MEMORY__CHROMA_TOKEN": "s3cret-token"}
    result = run_mnemo("doctor", "--json", "--no-load", **env)
    assert "s3cret-token" not in result.stdout + result.stderr
    assert "token set (hidden)" in json.loads(result.stdout)["chroma"]
