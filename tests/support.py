"""Helpers shared by test modules (importable as `tests.support`: pytest's `pythonpath` is the
repository root)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

# One Spark job of one task (one of local[2]'s two cores) that runs far longer than any test.
ENDLESS = "SELECT sum(id % 7) FROM range(0, 10000000000000, 1, 1)"


def wait_for(condition: Callable[[], bool], what: str, limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def run_in_thread(
    name: str, action: Callable[[], Any], outcome: dict[str, Any]
) -> threading.Thread:
    """Start `action` in a daemon thread; its result or exception lands in `outcome[name]`."""

    def target() -> None:
        try:
            outcome[name] = action()
        except BaseException as exc:
            outcome[name] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread
