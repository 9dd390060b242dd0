"""What a benchmark ran on, for its JSON: CPU count and model, Python version."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def describe_machine() -> dict[str, object]:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from assistant.models.cpu_features import cpu_flags, kernels

    return {
        "cpus": os.cpu_count(),
        "processor": cpu_name(),
        "kernels": kernels(cpu_flags()),
        "python": platform.python_version(),
    }
