"""What a finished bench prints before its RESULT line: the table of runs and the verdicts."""

from __future__ import annotations

import statistics
from typing import Any

from settings import Settings

TARGETS = {
    "p1_ratio_t4": ("<=", 1.0),
    "p1_ratio_t1": ("<=", 1.0),
    "own_defaults_ratio_t1": ("<=", 0.6),
    "own_defaults_ratio_t4": ("<=", 0.6),
    "overhead_share": ("<=", 0.15),
    "seed_speedup": (">=", 10.0),
    "p5_scale": ("<=", 1.1),
    "p5_ratio": ("<=", 0.8),
    "startup_parse_ratio": ("<=", 1.0),
    "startup_run1_ratio": ("<=", 1.0),
    "python_sql_ratio": ("<=", 1.1),
}
HEADER = [
    *("workload", "adapter", "thr", "ok", "min s", "median s", "spark s", "stmt s"),
    *("py cpu s", "jvm cpu s", "rows/s"),
]


def table(settings: Settings) -> str:
    """One row per workload, adapter and threads, in the order they first ran."""
    rows: list[list[str]] = [HEADER]
    groups: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for r in settings.results:
        groups.setdefault((r["workload"], r["adapter"], r["threads"]), []).append(r)
    rows += [table_row(*key, group) for key, group in groups.items()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in rows)


def table_row(workload: str, adapter: str, threads: int, group: list[dict[str, Any]]) -> list[str]:
    good = [r for r in group if r.get("ok")]
    times = [r["elapsed_s"] for r in good]
    rates = [r["rows"] / r["elapsed_s"] for r in good if r.get("rows")]
    return [
        workload,
        adapter,
        str(threads),
        f"{len(good)}/{len(group)}",
        f"{min(times):.2f}" if times else "-",
        f"{statistics.median(times):.2f}" if times else "-",
        median_of(good, "spark_busy_s"),
        median_of(good, "statement_s"),
        median_of(good, "python_cpu_s"),
        median_of(good, "jvm_cpu_s"),
        f"{statistics.median(rates):.0f}" if rates else "-",
    ]


def median_of(good: list[dict[str, Any]], key: str) -> str:
    values = [r[key] for r in good if r.get(key) is not None]
    return f"{statistics.median(values):.2f}" if values else "-"


def verdicts(result: dict[str, Any]) -> str:
    lines = []
    for key, (op, target) in TARGETS.items():
        value = result.get(key)
        if value is None:
            lines.append(f"{key:15} not measured    (target {op} {target})")
            continue
        met = value <= target if op == "<=" else value >= target
        verdict = "met" if met else "NOT MET"
        lines.append(f"{key:15} {value:9.3f}  target {op} {target:<5} {verdict}")
    return "\n".join(lines)
