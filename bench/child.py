"""A measured call in a child process of its own: wall time, CPU time and peak resident memory.

The benches of the workbooks (``bench.xlsx_bench``, ``bench.register_xlsx_bench``) run each export
and import in a fresh interpreter, so that one step's memory does not hide the next one's. The
parent calls ``run_child("bench.xlsx_bench", step, ...)``, which runs ``python -m bench.xlsx_bench
--child step ...`` and answers the JSON line the child printed; the child does its setup, then
``report(measure(call))``. The figures are the call's wall time, its CPU time (what the wall time is
on an idle machine, the database's own work aside), the resident memory at the start of the call
(``before_mb``: the interpreter, Django and the input) and the peak during the call (``maxrss_mb``:
on Linux ``VmHWM``, its high-water mark reset just before the call, so that what the start-up
touched and gave back does not hide it; elsewhere ``ru_maxrss``, which also counts the parent's
memory at the fork: a first version reported the parent's 150-164 MB for every small step). No
tracer runs during the call: ``tracemalloc`` would double its time.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

CHILD = "--child"


def setup() -> None:
    """Django, with the test settings unless the environment names others."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.test")
    import django

    django.setup()


def _status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith(f"{field}:"))
    except (OSError, StopIteration):
        return None
    return int(line.split()[1]) / 1024


def _peak_mb() -> float:
    """The peak resident memory since the last reset (``VmHWM``); ``ru_maxrss`` where ``/proc`` is missing,
    which also counts the parent's memory at the fork that started this process."""
    peak = _status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _resident_mb() -> float:
    """The resident memory now (the peak so far where ``/proc`` is missing), and the peak reset to it."""
    resident = _status_mb("VmRSS")
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # resets the peak resident memory (VmHWM) to what is resident now
    except OSError:
        return _peak_mb()
    return resident if resident is not None else _peak_mb()


def measure(call: Callable[[], dict[str, Any] | None]) -> dict[str, Any]:
    """Run ``call`` and answer its figures (what it returns) with its wall and CPU seconds, the resident
    memory at its start and the peak during it."""
    before = _resident_mb()
    started = time.perf_counter()
    cpu_started = time.process_time()
    figures = call() or {}
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "maxrss_mb": _peak_mb(), "before_mb": before, **figures}


def report(figures: dict[str, Any]) -> None:
    """Hand the figures to the parent (the child's last line of output)."""
    print(json.dumps(figures, default=str))


def run_child(module: str, step: str, *arguments: object) -> dict[str, Any]:
    """Run ``python -m module --child step arguments...`` and answer the figures it reported; exits on failure."""
    finished = subprocess.run(
        [sys.executable, "-m", module, CHILD, step, *(str(argument) for argument in arguments)],
        env={**os.environ},
        check=False,
        capture_output=True,
        text=True,
    )
    if finished.returncode:
        sys.exit(f"the {step} failed:\n{finished.stderr}")
    figures: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return figures
