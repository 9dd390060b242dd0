"""How long `mnemo` takes from process start until the chat screen is up and the input has focus.

    python bench/startup.py            # one JSON object: startup_s per run, median

Each run is a fresh process with the real settings (the model keeps loading in the background; the
app is interactive before it finishes). The goal is about 1.5 s.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import time, psutil
started = psutil.Process().create_time()
from assistant.settings import load_settings
from assistant.factory import build_assistant
from tui.app import MnemoApp
from tui.screens.chat import ChatScreen

class TimedApp(MnemoApp):
    def on_chat_screen_mounted(self, message: ChatScreen.Mounted) -> None:
        print(f"{time.time() - started:.3f}", flush=True)
        self.exit()

assistant = build_assistant(load_settings())
TimedApp(assistant, user="bench").run(headless=True)
"""


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    root = Path(__file__).resolve().parent.parent
    times = []
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "MNEMO_DATA_DIR": data_dir, "PYTHONPATH": str(root)}
        for _ in range(runs):
            output = subprocess.run(
                [sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=120, check=True
            ).stdout
            times.append(float(output.strip().splitlines()[-1]))
    print(json.dumps({"startup_s": times, "median_s": round(statistics.median(times), 3), "goal_s": 1.5}))


if __name__ == "__main__":
    main()
