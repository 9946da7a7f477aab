"""The job runner's artifacts: what this run wrote, copied to `artifacts_dir` after it."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

from dbt.adapters.databricks_session.job_options import JobOptions

# run_results.json and manifest.json of every command; catalog.json and index.html of
# `docs generate`; sources.json of `source freshness`.
TARGET_ARTIFACTS = (
    "run_results.json",
    "manifest.json",
    "catalog.json",
    "index.html",
    "sources.json",
)
LOG_FILE = "dbt.log"


@dataclass(frozen=True)
class FileMark:
    """A file's identity and size before the run, to tell fresh artifacts from stale ones."""

    path: str
    signature: tuple[int, int, int] | None

    @classmethod
    def take(cls, path: str) -> FileMark:
        return cls(path, _signature(path))

    def written_since(self) -> bool:
        now = _signature(self.path)
        return now is not None and now != self.signature

    def log_offset(self) -> int:
        """Where this run's lines start in a log file (0 after rotation or truncation)."""
        now = _signature(self.path)
        if self.signature is None or now is None or now[0] != self.signature[0]:
            return 0
        return self.signature[1] if now[1] >= self.signature[1] else 0


def _signature(path: str) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def mark_artifacts(options: JobOptions) -> list[FileMark]:
    paths = [os.path.join(options.target_path, name) for name in TARGET_ARTIFACTS]
    return [FileMark.take(path) for path in [*paths, os.path.join(options.log_path, LOG_FILE)]]


def copy_artifacts(marks: list[FileMark], destination: str) -> tuple[list[str], list[str]]:
    """Copy what this run wrote; remove a stale earlier copy of what it did not write."""
    copied: list[str] = []
    problems: list[str] = []
    try:
        os.makedirs(destination, exist_ok=True)
        for mark in marks:
            target = os.path.join(destination, os.path.basename(mark.path))
            if _copy_one(mark, target):
                copied.append(target)
    except OSError as exc:
        problems.append(f"could not copy artifacts to {destination}: {exc}")
    return copied, problems


def _copy_one(mark: FileMark, target: str) -> bool:
    if not mark.written_since():
        if os.path.isfile(target):
            os.remove(target)
        return False
    if os.path.basename(mark.path) == LOG_FILE:
        with open(mark.path, "rb") as source, open(target, "wb") as sink:
            source.seek(mark.log_offset())
            shutil.copyfileobj(source, sink)
    else:
        # copyfile, not copy2: a Unity Catalog Volume refuses the metadata copy2 sets.
        shutil.copyfile(mark.path, target)
    return True
