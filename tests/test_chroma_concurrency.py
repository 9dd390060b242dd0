"""20 users at once on a real `chroma run` server: nothing acknowledged is lost, nobody sees another's memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USERS, SECONDS = 20, 60


def test_twenty_concurrent_users_lose_nothing_and_see_only_their_own(chroma_server: str) -> None:
    command = [
        sys.executable,
        str(ROOT / "bench" / "memory_scale.py"),
        "--chroma-url",
        chroma_server,
        "--concurrent-users",
        str(USERS),
        "--duration",
        str(SECONDS),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=SECONDS + 600, check=False)
    assert finished.returncode == 0, finished.stderr[-3000:]
    result = json.loads(finished.stdout)["concurrent"]
    assert result["users"] == USERS
    assert result["writes_acknowledged"] >= USERS and result["searches"] >= USERS  # every user got work done
    assert result["errors"] == 0, result["first_errors"]
    assert result["lost_writes"] == 0 and result["misfiled_writes"] == 0
    assert result["foreign_results"] == 0
    assert result["search_ms_p95"] is not None
