"""Peak memory and machine load, measured the same way by every benchmark.

Peak RSS is the process's high-water mark (``VmHWM``) after resetting it through
``/proc/self/clear_refs`` just before the timed section, so imports and set-up are not counted;
where that is not possible (not Linux) it falls back to ``ru_maxrss``, which cannot be reset.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _vm_hwm() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise ValueError("no VmHWM")


def reset_peak() -> str:
    """Reset this process's peak-RSS mark; returns how :func:`peak` will read it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        _vm_hwm()
        return "VmHWM"
    except (OSError, ValueError):
        return "ru_maxrss"


def peak(method: str) -> int:
    """Peak RSS in bytes since :func:`reset_peak` (``method`` is what it returned)."""
    if method == "VmHWM":
        return _vm_hwm()
    import resource

    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(ru if sys.platform == "darwin" else ru * 1024)  # bytes on macOS, KiB on Linux


def rss() -> int:
    """Current resident memory in bytes."""
    import psutil

    return int(psutil.Process().memory_info().rss)


def loadavg() -> float | None:
    """The 1-minute load average, or None where the platform has none."""
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        return None
