"""The real ``mnemo`` in a real terminal (tmux), driven by keys: tell it a fact, correct it in the memory
screen, and see the corrected version used in a new chat."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import SHARED_MODEL_CACHE
from .test_real_models import prepared

pytestmark = pytest.mark.real_model
WIDTH, HEIGHT = 100, 32
MODEL_TIMEOUT_S = 600  # loading and answering on a busy 2-core machine


class Terminal:
    """One tmux session running a command; keys in, screen text out."""

    def __init__(self, name: str, command: str, env: dict[str, str]) -> None:
        self.name = name
        self.env = env
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT), command],
            check=True,
            env=env,
        )

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run(
            ["tmux", "send-keys", "-t", self.name, *(["-l"] if literal else []), *keys], check=True, env=self.env
        )
        time.sleep(0.3)

    def type(self, text: str) -> None:
        self.keys(text, literal=True)

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], check=True, capture_output=True, text=True, env=self.env
        ).stdout

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        return self.wait_until(lambda screen: text in screen, repr(text), timeout)

    def wait_until(self, done: Callable[[str], bool], what: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if done(screen):
                return screen
            time.sleep(0.5)
        raise AssertionError(f"{what} did not appear within {timeout:.0f} s; the screen was:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "kill-server"], check=False, capture_output=True, env=self.env)


@pytest.fixture
def mnemo_in_tmux(tmp_path: Path):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is needed for this test; `make test` installs it (apt-get install tmux)")
    prepared("default")
    env = {  # HOME is already the test's own (see conftest)
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MNEMO_") and key not in ("TMUX", "TMUX_PANE")
    }
    env.update(
        MNEMO_DATA_DIR=str(tmp_path / "data"),
        MNEMO_CACHE_DIR=str(SHARED_MODEL_CACHE),
        MNEMO_USER="sam",
        MNEMO_MODEL__TEMPERATURE="0",
        TERM="xterm-256color",
        TMUX_TMPDIR=str(tmp_path),  # a tmux server of its own
    )
    mnemo = Path(sys.executable).parent / "mnemo"
    terminal = Terminal(f"mnemo-e2e-{os.getpid()}", str(mnemo), env)
    yield terminal
    terminal.close()


def model_ready(screen: str) -> bool:
    """The status line names the model with no state after it ("[loading]" while it loads)."""
    return any(line.strip().startswith("model:") and "[" not in line for line in screen.splitlines())


def test_a_corrected_memory_is_what_the_next_chat_uses(mnemo_in_tmux: Terminal) -> None:
    term = mnemo_in_tmux
    term.wait_until(model_ready, "the model ready in the status line", MODEL_TIMEOUT_S)
    term.type("My sister Ana lives in Lisbon.")
    term.keys("Enter")
    term.wait_for("remembered My sister Ana lives in Lisbon", MODEL_TIMEOUT_S)  # the notice under the reply

    term.keys("F5")
    term.wait_for("What mnemo remembers about sam")
    term.keys("/")
    term.wait_for("/ search")  # the screen is up and its search box empty
    term.type("Lisbon")
    # typed before the search box had the focus (a loaded machine), the words went nowhere and a later Escape closed
    # the screen instead of clearing the search
    term.wait_until(lambda screen: "/ search" not in screen, "'Lisbon' in the search box")
    term.keys("Enter")  # back to the table, on the best match
    term.wait_for("(g opens the chat)")
    term.keys("e")
    term.wait_for("Edit the memory")
    term.keys("End")
    term.keys("C-u")
    term.type("My sister Ana lives in Porto")
    term.keys("Enter")
    term.wait_for("Edited: now reads")  # a toast; and "Lisbon" no longer finds it
    term.keys("Escape")  # clears the search: every memory again
    screen = term.wait_for("edited by the user")  # the highlighted memory's history
    table = screen.split("────")[0]  # above the detail pane (which quotes the message it came from)
    assert "My sister Ana lives in Porto" in table and "Lisbon" not in table
    term.keys("Escape")  # closes the screen

    term.keys("C-n")
    term.wait_for("New chat")
    term.type("Where does my sister Ana live?")
    term.keys("Enter")
    term.wait_for("tok/s", MODEL_TIMEOUT_S)  # the status line shows the reply's speed once it is written
    reply = term.screen().split("Where does my sister Ana live?", 1)[1].split("╭")[0]  # the chat, not the input
    assert "Porto" in reply and "Lisbon" not in reply

    term.keys("F4")
    why = term.wait_for("Why did it say that?")
    term.wait_for("Porto")
    assert "Lisbon" not in term.screen().split("Why did it say that?")[-1]
    assert why
