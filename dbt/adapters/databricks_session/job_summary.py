"""The job runner's summary: failures first, one compact line per node, through dbt's logger
(so it is in the console, in dbt.log and in JSON logs like the rest of the run)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dbt.adapters.databricks.logging import logger

PROG = "dbt-session-job"
FAILED_STATUSES = ("error", "fail", "runtime error")
# The order of the summary: what needs attention first.
STATUS_ORDER = (*FAILED_STATUSES, "warn", "skipped")
LINE_WIDTH = 100
MAX_FAILURES_IN_MESSAGE = 10


@dataclass(frozen=True)
class NodeResult:
    unique_id: str
    status: str
    execution_time: float
    message: str


def node_results(outcome: Any) -> list[NodeResult]:
    results = getattr(getattr(outcome, "result", None), "results", None) or []
    return [
        NodeResult(
            unique_id=str(getattr(getattr(item, "node", None), "unique_id", "?")),
            status=str(getattr(item.status, "value", item.status)),
            execution_time=float(getattr(item, "execution_time", 0.0) or 0.0),
            message=" ".join(str(getattr(item, "message", "") or "").split()),
        )
        for item in results
    ]


def one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: max(limit - 3, 0)] + "..."


def ordered(nodes: list[NodeResult]) -> list[NodeResult]:
    """Failures first, then warnings and skips, then the rest; each group in run order."""

    def rank(node: NodeResult) -> int:
        return STATUS_ORDER.index(node.status) if node.status in STATUS_ORDER else len(STATUS_ORDER)

    return sorted(nodes, key=rank)


def summary_lines(
    command: str,
    success: bool,
    nodes: list[NodeResult],
    problems: list[str],
) -> list[str]:
    counts: dict[str, int] = {}
    for node in ordered(nodes):
        counts[node.status] = counts.get(node.status, 0) + 1
    tally = ", ".join(f"{count} {status}" for status, count in counts.items()) or "no nodes"
    verdict = "succeeded" if success else "FAILED"
    lines = [f"{PROG}: dbt {command} {verdict} ({tally})"]
    lines += [f"  ! {one_line(problem, LINE_WIDTH - 4)}" for problem in problems]
    for node in ordered(nodes):
        head = f"  {node.status:<7} {node.execution_time:7.2f}s {node.unique_id}"
        message = node.message if node.status in STATUS_ORDER else ""
        room = LINE_WIDTH - len(head) - 2
        lines.append(f"{head}: {one_line(message, room)}" if message and room > 10 else head)
    return lines


def log_summary(lines: list[str], success: bool) -> None:
    """The verdict line at error level when the run failed, the rest at info level."""
    for number, line in enumerate(lines):
        if number == 0 and not success:
            logger.error(line)
        else:
            logger.info(line)


def failure_message(
    command: str, nodes: list[NodeResult], problems: list[str], artifacts_dir: str | None
) -> str:
    """The exception text: each failed node (first ten) and each problem, one per line."""
    failed = [node for node in nodes if node.status in FAILED_STATUSES]
    lines = [f"dbt {command} failed:"]
    lines += [
        f"  {node.unique_id} ({node.status}): {one_line(node.message, 500)}"
        for node in failed[:MAX_FAILURES_IN_MESSAGE]
    ]
    if len(failed) > MAX_FAILURES_IN_MESSAGE:
        more = len(failed) - MAX_FAILURES_IN_MESSAGE
        lines.append(f"  ... and {more} more failed nodes (see run_results.json)")
    lines += [f"  {problem}" for problem in problems]
    if len(lines) == 1:
        lines.append("  see the dbt log above")
    if artifacts_dir:
        lines.append(f"Artifacts: {artifacts_dir}")
    return "\n".join(lines)
