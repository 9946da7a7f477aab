"""Runs notebook source for real: on a local SparkSession, or as plain Python (Spark-less).

A SOURCE notebook is split on `# COMMAND ----------` and each cell is exec'd in one namespace
seeded with `spark` and a minimal `dbutils` (`widgets.get`, `notebook.exit`,
`library.restartPython`). Magic cells (`%pip`, `%sql`, ...) fail: the emulator cannot honour them.
"""

from __future__ import annotations

import ctypes
import threading
import traceback
from dataclasses import dataclass
from typing import Any

CELL_SEPARATOR = "# COMMAND ----------"


class NotebookExit(BaseException):
    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


class Stopped(BaseException):
    """Raised in the notebook's thread when its run is cancelled or times out."""


@dataclass
class Outcome:
    ok: bool
    result: str | None = None  # dbutils.notebook.exit value
    error: str | None = None
    error_trace: str | None = None
    stopped: bool = False


class _Widgets:
    def __init__(self, parameters: dict[str, str]) -> None:
        self.parameters = parameters

    def get(self, name: str) -> str:
        if name not in self.parameters:
            raise ValueError(f"No input widget named {name} is defined")
        return self.parameters[name]

    def text(self, name: str, default: str = "", label: str = "") -> None:
        self.parameters.setdefault(name, default)


class _Notebook:
    def exit(self, value: Any = "") -> None:
        raise NotebookExit(str(value))


class _Library:
    def restartPython(self) -> None:  # noqa: N802 - Databricks' name
        return None


class DbUtils:
    def __init__(self, parameters: dict[str, str]) -> None:
        self.widgets = _Widgets(parameters)
        self.notebook = _Notebook()
        self.library = _Library()


def split_cells(source: str) -> list[str]:
    lines = source.splitlines()
    if lines and lines[0].startswith("# Databricks notebook source"):
        lines = lines[1:]
    cells, current = [], []
    for line in lines:
        if line.strip() == CELL_SEPARATOR:
            cells.append("\n".join(current))
            current = []
        else:
            current.append(line)
    cells.append("\n".join(current))
    return [cell for cell in cells if cell.strip()]


class NotebookRun:
    """One notebook execution in its own thread, stoppable from another thread."""

    def __init__(
        self, source: str, parameters: dict[str, str], spark: Any, namespace: dict | None = None
    ) -> None:
        self.source = source
        self.spark = spark
        self.namespace = namespace if namespace is not None else {}
        self.namespace.setdefault("__name__", "__main__")
        self.namespace.setdefault("spark", spark)
        self.namespace.setdefault("dbutils", DbUtils(dict(parameters)))
        self.group = f"emulator-{id(self)}"
        self.outcome: Outcome | None = None
        self.thread = threading.Thread(target=self._run, name="emulator-notebook", daemon=True)

    def start(self) -> NotebookRun:
        self.thread.start()
        return self

    def wait(self, seconds: float) -> bool:
        self.thread.join(seconds)
        return not self.thread.is_alive()

    def stop(self) -> None:
        """Interrupt the notebook: an exception in its thread, and its Spark jobs cancelled."""
        if not self.thread.is_alive() or self.thread.ident is None:
            return
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(self.thread.ident), ctypes.py_object(Stopped)
        )
        if self.spark is not None:
            try:
                self.spark.sparkContext.cancelJobGroup(self.group)
            except Exception:  # Spark Connect: no SparkContext
                try:
                    self.spark.interruptTag(self.group)
                except Exception:
                    pass

    def _run(self) -> None:
        try:
            self._set_group()
            for index, cell in enumerate(split_cells(self.source)):
                if cell.lstrip().startswith("%"):
                    magic = cell.lstrip().split()[0]
                    raise RuntimeError(
                        f"EMULATOR_UNSUPPORTED: the emulator cannot run magic commands ({magic})"
                    )
                exec(compile(cell, f"<notebook cell {index + 1}>", "exec"), self.namespace)
            self.outcome = Outcome(ok=True)
        except NotebookExit as exit_:
            self.outcome = Outcome(ok=True, result=exit_.value)
        except Stopped:
            self.outcome = Outcome(ok=False, error="Stopped", stopped=True)
        except BaseException as exc:  # noqa: BLE001 - any failure fails the task
            self.outcome = Outcome(
                ok=False, error=f"{type(exc).__name__}: {exc}", error_trace=_notebook_trace(exc)
            )

    def _set_group(self) -> None:
        if self.spark is None:
            return
        try:
            self.spark.sparkContext.setJobGroup(self.group, "emulated notebook task", True)
        except Exception:
            try:
                self.spark.addTag(self.group)
            except Exception:
                pass


def _notebook_trace(exc: BaseException) -> str:
    """The traceback from the notebook's own frames (the executor's frame left out)."""
    tb = exc.__traceback__.tb_next if exc.__traceback__ else None
    return "".join(traceback.format_exception(type(exc), exc, tb))
