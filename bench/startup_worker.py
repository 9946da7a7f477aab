"""One whole dbt command, as a user runs it, measured from inside its own process (run by
bench/startup.py, not by hand).

Usage: python bench/startup_worker.py SPEC.json

The spec holds the dbt CLI arguments and where to write the result. The process imports only
the standard library before dbt, runs the command once (`dbtRunner`, what the `dbt` script
calls), then reads its own resource usage:
- `python_cpu_s`: user + system CPU of this process (`getrusage(RUSAGE_SELF)`: every thread of
  this process, the interpreter's start and every import included). Spark's JVM is a child
  process (Py4J launches it with spark-submit): its CPU is not in RUSAGE_SELF, and, as the JVM
  is still running, not in RUSAGE_CHILDREN either; it is read from /proc as `jvm_cpu_s`.
- `peak_rss_mb`: the peak resident set of this process (`VmHWM`; the JVM's memory is its own).
  Not `ru_maxrss`: Linux carries that over from the parent at fork and exec, so a child of a
  large parent would report at least the parent's size.
- `partial_parse`: what dbt said about partial parsing (its PartialParsing* events).
The caller times the whole process (start to exit, the JVM's shutdown included) as the wall.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

PARTIAL_PARSE_EVENTS = ("PartialParsing", "UnableToPartialParse", "ParsedFileLoadFailed")


def jvm_cpu_seconds() -> float | None:
    """CPU time (user + system) of the Spark JVM this process started, if it started one."""
    if "pyspark" not in sys.modules:  # parse and ls start no Spark: do not import it
        return None
    from pyspark import SparkContext

    proc = getattr(SparkContext._gateway, "proc", None)
    if proc is None:
        return None
    try:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB; not Linux


def run(args: list[str]) -> dict[str, Any]:
    from dbt.cli.main import dbtRunner

    events: list[str] = []

    def record(event: Any) -> None:
        name = event.info.name
        if name.startswith(PARTIAL_PARSE_EVENTS):
            events.append(name)

    started = time.perf_counter()
    result = dbtRunner(callbacks=[record]).invoke(args)
    return {
        "ok": bool(result.success),
        "error": "" if result.success else repr(result.exception or "the command failed"),
        "invoke_s": time.perf_counter() - started,
        "partial_parse": events,
    }


def main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    result = run(spec["args"])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.update(
        python_cpu_s=usage.ru_utime + usage.ru_stime,
        python_user_s=usage.ru_utime,
        python_sys_s=usage.ru_stime,
        peak_rss_mb=peak_rss_mb(),
        modules=len(sys.modules),
    )
    jvm = jvm_cpu_seconds()
    if jvm is not None:
        result["jvm_cpu_s"] = jvm
    if spec.get("modules_path"):  # the modules this command imported, to see what it pays for
        Path(spec["modules_path"]).write_text("\n".join(sorted(sys.modules)))
    Path(spec["result_path"]).write_text(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
