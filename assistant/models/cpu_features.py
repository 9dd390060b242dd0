"""What this CPU can run, and the llama.cpp build made for it.

llama.cpp's own native build (``-march=native``) turns on AMX where the CPU advertises it, and some machines
advertise AMX yet fault on it (SIGILL). So mnemo builds llama.cpp with ggml's explicit instruction-set switches,
picked from ``/proc/cpuinfo``: AVX-512, VNNI and BF16 where present, AMX never. The set of switches is the
key of the cached wheel, so a machine only reuses a wheel built for the same instructions.

Stdlib only: the Makefile runs this file as a script before anything else is importable::

    python assistant/models/cpu_features.py cmake-args   # -DGGML_NATIVE=OFF -DGGML_AVX2=ON …
    python assistant/models/cpu_features.py key          # e.g. avx2-avx512-vnni512, for the wheel's folder
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

# ggml switch -> the /proc/cpuinfo flags it needs (all of them); in the order ggml lists them.
SWITCHES: dict[str, tuple[str, ...]] = {
    "SSE42": ("sse4_2",),
    "AVX": ("avx",),
    "AVX2": ("avx2",),
    "BMI2": ("bmi2",),
    "FMA": ("fma",),
    "F16C": ("f16c",),
    "AVX_VNNI": ("avx_vnni",),
    "AVX512": ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw"),
    "AVX512_VBMI": ("avx512vbmi",),
    "AVX512_VNNI": ("avx512_vnni",),
    "AVX512_BF16": ("avx512_bf16",),
}
NEVER = ("AMX_TILE", "AMX_INT8", "AMX_BF16")  # advertised by some CPUs that then fault on them
SHORT_NAMES = {"AVX512": "avx512", "AVX512_VNNI": "vnni512", "AVX_VNNI": "vnni", "AVX512_BF16": "bf16"}


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The instruction-set flags of the first CPU (empty where /proc/cpuinfo is missing: not Linux x86)."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


def enabled_switches(flags: set[str]) -> list[str]:
    """The ggml switches this CPU supports. Each AVX-512 extension needs the AVX-512 base set as well."""
    enabled = [name for name, needs in SWITCHES.items() if all(flag in flags for flag in needs)]
    if "AVX512" not in enabled:
        enabled = [name for name in enabled if not name.startswith("AVX512_")]
    return enabled


def cmake_args(flags: set[str]) -> str:
    enabled = set(enabled_switches(flags))
    switches = [f"-DGGML_{name}={'ON' if name in enabled else 'OFF'}" for name in SWITCHES]
    return " ".join(["-DGGML_NATIVE=OFF", *switches, *(f"-DGGML_{name}=OFF" for name in NEVER)])


def kernels(flags: set[str]) -> str:
    """A short human name for the widest kernels this CPU gets, e.g. 'AVX-512 + VNNI' or 'AVX2'."""
    enabled = enabled_switches(flags)
    if "AVX512" in enabled:
        extras = [label for name, label in (("AVX512_VNNI", "VNNI"), ("AVX512_BF16", "BF16")) if name in enabled]
        return " + ".join(["AVX-512", *extras])
    if "AVX2" in enabled:
        return "AVX2 + VNNI" if "AVX_VNNI" in enabled else "AVX2"
    return "generic x86-64" if enabled else "unknown"


def build_key(flags: set[str]) -> str:
    """The wheel cache key: the widest switches by name, and a hash of the whole set."""
    enabled = enabled_switches(flags)
    digest = hashlib.sha256(" ".join(enabled).encode()).hexdigest()[:8]
    names = [SHORT_NAMES[name] for name in enabled if name in SHORT_NAMES] or ["avx2" if "AVX2" in enabled else "x86"]
    return "-".join([*names, digest])


def main(argv: list[str]) -> int:
    flags = cpu_flags()
    commands = {"cmake-args": cmake_args, "key": build_key, "kernels": kernels}
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: cpu_features.py {{{'|'.join(commands)}}}", file=sys.stderr)
        return 2
    print(commands[argv[0]](flags))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
