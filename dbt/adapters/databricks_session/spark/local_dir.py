"""The local Spark directory (`spark_local_dir`): created on first use, or one clear error."""

from __future__ import annotations

import os
import tempfile

from dbt_common.exceptions import DbtRuntimeError


def ensure_local_dir(local_dir: str) -> str:
    """Create `local_dir` if needed and check it is writable; returns its absolute path."""
    path = os.path.abspath(local_dir)
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise DbtRuntimeError(
            f"`spark_local_dir` {path} cannot hold the local Spark warehouse and metastore: "
            f"{_reason(path, exc)}. Point `spark_local_dir` in the profile at a writable "
            "directory (or remove it to use <project>/target/spark)."
        ) from None
    return path


def _reason(path: str, exc: OSError) -> str:
    if os.path.isfile(path):
        return "it is a file"
    parent = os.path.dirname(path)
    while parent and not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if parent and not os.path.isdir(parent):
        return f"{parent} is a file, not a directory"
    return exc.strerror or str(exc)
