"""Session mode against dbt-spark's `method: session`, side by side in one run.

    python bench/run.py                     # full run (about 30 minutes on 2 busy cores)
    python bench/run.py --quick             # one repeat, no 1,000-model run (about 9 minutes)
    python bench/run.py --quick --dry-run   # generate projects and run specs; run no dbt

Measured dbt invocations run in fresh Python processes whose local Spark is started by the
adapter under test, with the same Spark settings for both adapters (checked after the run): per
repeat one process per adapter for the identical-settings runs and one for the own-defaults
runs; the two adapters alternate order from repeat to repeat. Each process first warms up
(Spark start, a 10-model project and a 3-row seed), then runs its measured commands, each in a
schema of its own. The time compared is dbt's own `elapsed_time` from run_results.json:
everything the command does after parsing (schema creation, relation cache, every node), with
Spark up. See docs/performance.md.

"ours" is the adapter of the tree this bench/ lives in (its root goes first on PYTHONPATH, ahead
of any installed copy); dbt-spark is the installed one. The last line printed is
`RESULT {json}` with the figures named in the issue.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(REPO))  # this tree's adapter, for its local Spark defaults

# One concern per module: settings (constants, command line), plan (projects, run order), specs
# (profiles and run specs), execution (worker processes), figures (RESULT), report (table).
# Names tests and callers used from this module stay importable from here.
from execution import (  # noqa: E402
    adapter_path,
    execute,
    jobs_api_figures,
    make_metastore_template,
)
from figures import conf_differences, figures  # noqa: E402
from plan import generate_projects, plan_runs  # noqa: E402
from report import table, verdicts  # noqa: E402
from settings import BASELINE, OURS, SPARK, Run, Settings  # noqa: E402
from settings import parse_args as parse_settings  # noqa: E402
from specs import write_spec  # noqa: E402

__all__ = ["BASELINE", "OURS", "SPARK", "Run", "Settings", "adapter_path", "main", "parse_args"]


def parse_args(argv: Sequence[str] | None) -> Settings:
    """The command line; --help describes it with this module's docstring's first paragraph."""
    return parse_settings(argv, description=(__doc__ or "").split("\n\n")[0])


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    paths = generate_projects(settings)
    runs = plan_runs(settings, paths)
    specs = [(run, write_spec(run, settings, paths)) for run in runs]
    print(f"bench: {len(runs)} runs, results in {settings.out}", flush=True)
    if settings.dry_run:
        return dry_run(specs, settings, paths)
    run_all(specs, settings)
    result = figures(settings)
    if "jobs_api" in settings.workloads:
        result["jobs_api"] = jobs_api_figures(settings)
        result["python_workflow_vs_session"] = result["jobs_api"].get("python_workflow_vs_session")
    print()
    print(table(settings))
    print()
    print(verdicts(result))
    differing = conf_differences(settings.results)
    if differing:
        print(f"Spark conf differs between runs in: {', '.join(differing)}")
    (settings.out / "result.json").write_text(json.dumps(result, indent=2))
    print("RESULT " + json.dumps(result))
    return 0 if not result["failed_runs"] else 1


def dry_run(specs: list[tuple[Run, Path]], settings: Settings, paths: dict[str, Path]) -> int:
    """Lists the run specs written; the RESULT line says what would have run."""
    for run, spec in specs:
        print(f"  {run.name}: {spec}")
    summary = {
        "dry_run": True,
        "runs": len(specs),
        "workloads": list(settings.workloads),
        "projects": {name: str(path) for name, path in paths.items()},
    }
    print("RESULT " + json.dumps(summary))
    return 0


def run_all(specs: list[tuple[Run, Path]], settings: Settings) -> None:
    """Every run in plan order (a host run with the runs joining its process), each result into
    settings.results and runs.jsonl as its process ends."""
    metastore = make_metastore_template(settings)
    done = 0
    with (settings.out / "runs.jsonl").open("w") as log:
        for run, spec in specs:
            if run.host:
                continue  # measured in its host's process
            members = [(run, spec)] + [(r, s) for r, s in specs if r.host == run.name]
            results = execute(members, metastore, settings)
            for (member, _), result in zip(members, results):
                done += 1
                settings.results.append(result)
                log.write(json.dumps({k: v for k, v in result.items() if k != "conf"}) + "\n")
                log.flush()
                ok = result.get("ok")
                status = f"{result['elapsed_s']:.2f} s" if ok else result.get("error")
                print(f"[{done}/{len(specs)}] {member.name}: {status}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
