"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dbt_common.events.event_manager_client import get_event_manager


@pytest.fixture
def warnings_seen() -> Iterator[list[str]]:
    """The adapter's warnings, as dbt's event manager hands them to its loggers."""
    seen: list[str] = []

    def collect(event: Any) -> None:
        if event.info.level == "warn":
            seen.append(event.info.msg)

    manager = get_event_manager()
    manager.add_callback(collect)
    yield seen
    manager.callbacks.remove(collect)
