"""The in-process job runner (`dbt-session-job`, `run_dbt_job`) end to end on local Spark.

Every dbt run here is a real in-process `dbtRunner` invocation on a copy of
examples/jaffle_shop whose profile points at the test process's one local Spark (the `spark`
fixture): the runner must find that session, never start another.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from dbt.adapters.databricks_session import job
from dbt.adapters.databricks_session.spark import source

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "jaffle_shop"
SPARK_MASTER = "local[2]"  # as tests/conftest.py starts it
TEST_PREFIXES = ("test.", "unit_test.")

BROKEN_MODEL = "select no_such_column from (select 1 as id)\n"


@pytest.fixture
def project(tmp_path: Path, spark: Any, spark_local_dir: str) -> Iterator[Path]:
    """A copy of the example project whose profile uses the fixture's Spark, own schema."""
    root = tmp_path / "jaffle_shop"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    schema = f"job_{uuid.uuid4().hex[:10]}"
    output = {
        "type": "databricks_session",
        "method": "session",
        "schema": schema,
        "threads": 4,
        "spark_master": SPARK_MASTER,
        "spark_local_dir": spark_local_dir,
    }
    profile = {"jaffle_shop": {"target": "local", "outputs": {"local": output}}}
    (root / "profiles.yml").write_text(yaml.safe_dump(profile))
    yield root
    spark.sql(f"drop schema if exists {schema} cascade")


def schema_of(project: Path) -> str:
    return yaml.safe_load((project / "profiles.yml").read_text())["jaffle_shop"]["outputs"][
        "local"
    ]["schema"]


def add_model(project: Path, name: str, sql: str) -> None:
    (project / "models" / f"{name}.sql").write_text(sql)


def run_results(directory: Path) -> dict[str, str]:
    """unique_id -> status, from the run_results.json in `directory`."""
    data = json.loads((directory / "run_results.json").read_text())
    return {item["unique_id"]: item["status"] for item in data["results"]}


def invocation_id(directory: Path) -> str:
    return json.loads((directory / "run_results.json").read_text())["metadata"]["invocation_id"]


def assert_artifacts(directory: Path) -> None:
    for name in ("run_results.json", "manifest.json", "dbt.log"):
        assert (directory / name).is_file(), f"{name} missing from {directory}"
    assert invocation_id(directory) in (directory / "dbt.log").read_text()


# -- end to end --------------------------------------------------------------------------------


# The whole example: its merge incremental and snapshot need Delta, so it runs in the Delta leg.
@pytest.mark.delta
@pytest.mark.usefixtures("delta_only")
def test_cli_build_succeeds_and_copies_artifacts(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifacts = tmp_path / "artifacts" / "run-1"
    job.main(["--project-dir", str(project), "--artifacts-dir", str(artifacts)])  # no SystemExit

    assert_artifacts(artifacts)
    statuses = run_results(artifacts)
    assert set(statuses.values()) <= {"success", "pass"}, statuses
    assert "model.jaffle_shop.customers" in statuses
    assert "model.jaffle_shop.customer_segments" in statuses  # the Python model
    assert any(node.startswith("test.") for node in statuses)
    assert any(node.startswith("unit_test.") for node in statuses)
    manifest = json.loads((artifacts / "manifest.json").read_text())
    assert "model.jaffle_shop.customers" in manifest["nodes"]

    out = capsys.readouterr().out
    assert "dbt-session-job: dbt build succeeded" in out
    summary = out[out.index("dbt-session-job: dbt build succeeded") :]
    assert "success" in summary and "model.jaffle_shop.customers" in summary
    # Through dbt's logger: the summary is in the run's dbt.log too (the copied part).
    assert "dbt-session-job: dbt build succeeded" in (artifacts / "dbt.log").read_text()


def test_failing_model_fails_the_run_and_still_copies_artifacts(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_model(project, "broken", BROKEN_MODEL)
    artifacts = tmp_path / "artifacts"
    args = ["--project-dir", str(project), "--select", "broken", "--artifacts-dir", str(artifacts)]
    with pytest.raises(SystemExit) as exit_info:
        job.main(args)

    assert exit_info.value.code == job.EXIT_FAILED
    assert_artifacts(artifacts)
    assert run_results(artifacts) == {"model.jaffle_shop.broken": "error"}
    out = capsys.readouterr().out  # dbt's logger writes every level to stdout
    assert "dbt build FAILED (1 error)" in out
    assert "model.jaffle_shop.broken (error)" in out
    assert "no_such_column" in out


def test_function_raises_on_failure_with_the_result(project: Path) -> None:
    add_model(project, "broken", BROKEN_MODEL)
    with pytest.raises(job.DbtJobFailed) as failure:
        job.run_dbt_job(project_dir=project, command="run", select=["broken"])

    result = failure.value.result
    assert not result.success
    assert [(node.unique_id, node.status) for node in result.nodes] == [
        ("model.jaffle_shop.broken", "error")
    ]
    assert "model.jaffle_shop.broken (error)" in str(failure.value)


def test_skip_tests_runs_no_test(project: Path, tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    result = job.run_dbt_job(
        project_dir=project, select="+customers", skip_tests="true", artifacts_dir=artifacts
    )

    ran = run_results(artifacts)
    assert {"model.jaffle_shop.customers", "seed.jaffle_shop.raw_customers"} <= set(ran)
    assert not [node for node in ran if node.startswith(TEST_PREFIXES)], ran
    assert [
        node.unique_id for node in result.nodes if node.unique_id.startswith(TEST_PREFIXES)
    ] == []
    # The same selection without skip_tests would have run tests on these models.
    manifest = json.loads((artifacts / "manifest.json").read_text())
    unique_test = "test.jaffle_shop.unique_customers_customer_id"
    assert any(node.startswith(unique_test) for node in manifest["nodes"])


def test_passthrough_docs_generate_copies_its_artifacts(project: Path, tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    job.main(
        ["--project-dir", str(project), "--artifacts-dir", str(artifacts), "--"]
        + ["docs", "generate"]
    )

    for name in ("catalog.json", "index.html", "manifest.json", "dbt.log"):
        assert (artifacts / name).is_file(), name
    catalog = json.loads((artifacts / "catalog.json").read_text())
    assert "metadata" in catalog and "nodes" in catalog
    assert "dbt-session-job: dbt docs generate succeeded" in (artifacts / "dbt.log").read_text()


def test_passthrough_run_lists_failures_first_in_compact_lines(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_model(project, "broken", BROKEN_MODEL)
    add_model(project, "fine", "select 1 as id\n")
    with pytest.raises(job.DbtJobFailed) as failure:
        job.run_dbt_job(project_dir=project, dbt="run --select fine broken --threads 1")

    statuses = {n.unique_id: n.status for n in failure.value.result.nodes}
    assert statuses == {"model.jaffle_shop.broken": "error", "model.jaffle_shop.fine": "success"}
    out = capsys.readouterr().out
    summary = out[out.index("dbt-session-job: dbt run FAILED") :].splitlines()
    nodes = [line for line in summary if "model.jaffle_shop." in line][:2]
    assert "error" in nodes[0] and "model.jaffle_shop.broken" in nodes[0]
    assert "success" in nodes[1] and "model.jaffle_shop.fine" in nodes[1]
    for line in summary[: 1 + len(nodes)]:
        text = line.split("  ", 1)[-1] if line.startswith("\x1b") else line
        assert len(text) <= 120, line  # compact: about 100 characters after dbt's timestamp


def test_two_runs_in_one_process(project: Path, tmp_path: Path, spark: Any) -> None:
    artifacts = tmp_path / "artifacts"
    first = job.run_dbt_job(project_dir=project, command="seed", artifacts_dir=artifacts)
    first_id = invocation_id(artifacts)
    second = job.run_dbt_job(
        project_dir=project, command="run", select="stg_customers", artifacts_dir=artifacts
    )

    assert first.success and second.success
    assert {node.unique_id for node in first.nodes} == {
        "seed.jaffle_shop.raw_customers",
        "seed.jaffle_shop.raw_orders",
        "seed.jaffle_shop.raw_payments",
    }
    assert run_results(artifacts) == {"model.jaffle_shop.stg_customers": "success"}
    log = (artifacts / "dbt.log").read_text()
    assert invocation_id(artifacts) in log and first_id not in log  # this run's log lines only
    rows = spark.sql(f"select count(*) from {schema_of(project)}.stg_customers").collect()
    assert rows[0][0] > 0


def test_dbt_uses_the_session_the_caller_created(
    project: Path, spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Forget which session this process's first dbt connection found: the runner must find the
    # session that exists in the process (the caller's), as it would in a notebook.
    monkeypatch.setattr(source, "_bases", {})
    marker = uuid.uuid4().hex
    view = f"caller_marker_{marker[:8]}"
    spark.sql(f"select '{marker}' as marker").createGlobalTempView(view)
    table_model = "{{ config(materialized='table') }}\n"
    add_model(project, "caller_check", f"{table_model}select marker from global_temp.{view}\n")
    try:
        job.run_dbt_job(project_dir=project, command="run", select="caller_check")
    finally:
        spark.catalog.dropGlobalTempView(view)

    found = source._bases.get(None)
    assert found is not None and found.origin == "existing session"
    assert found.spark is spark
    table = f"{schema_of(project)}.caller_check"
    assert [row.marker for row in spark.table(table).collect()] == [marker]


def test_deps_installs_packages_first(project: Path, tmp_path: Path, spark: Any) -> None:
    package = tmp_path / "answer_pkg"
    (package / "macros").mkdir(parents=True)
    (package / "dbt_project.yml").write_text(
        "name: answer_pkg\nversion: '1.0'\nconfig-version: 2\n"
    )
    (package / "macros" / "answer.sql").write_text("{% macro answer() %}42{% endmacro %}\n")
    (project / "packages.yml").write_text(yaml.safe_dump({"packages": [{"local": str(package)}]}))
    add_model(project, "uses_pkg", "select {{ answer_pkg.answer() }} as answer\n")

    # Without deps dbt stops before running anything: no run_results.json of this run exists,
    # so neither the one left in target/ nor an older copy may pass for this run's.
    artifacts = tmp_path / "artifacts"
    for stale in (project / "target" / "run_results.json", artifacts / "run_results.json"):
        stale.parent.mkdir(parents=True, exist_ok=True)
        stale.write_text("{}")
    with pytest.raises(job.DbtJobFailed, match="packages"):
        job.run_dbt_job(project_dir=project, select="uses_pkg", artifacts_dir=artifacts)
    assert (artifacts / "dbt.log").is_file()
    assert not (artifacts / "run_results.json").exists()

    job.run_dbt_job(project_dir=project, command="run", select="uses_pkg", deps="true")

    rows = spark.table(f"{schema_of(project)}.uses_pkg").collect()
    assert [row.answer for row in rows] == [42]


# -- parameters (no dbt run) -------------------------------------------------------------------


def test_flags_and_keyword_arguments_make_the_same_dbt_command(project: Path) -> None:
    argv = [
        "--project_dir", str(project), "--target", "local", "--skip-tests", "--models", "a+", "b",
        "--exclude", "c", "--vars", "{x: 1}", "--full-refresh=false", "--threads", "3",
    ]  # fmt: skip
    parsed = job.build_parser().parse_args(argv)
    from_flags = job.make_options(**parsed.__dict__)
    from_kwargs = job.make_options(
        project_dir=project,
        target="local",
        skip_tests=True,
        select="a+ b",
        exclude=["c"],
        vars="{x: 1}",
        full_refresh="false",
        threads="3",
    )
    assert from_flags == from_kwargs
    args = job.dbt_args(from_flags)
    assert args[0] == "build"
    assert args[args.index("--select") + 1 : args.index("--select") + 3] == ["a+", "b"]
    assert args[args.index("--exclude-resource-type") + 1 :][:2] == ["test", "unit_test"]
    assert args[args.index("--profiles-dir") + 1] == str(project)
    assert args[args.index("--target-path") + 1] == str(project / "target")
    assert "--full-refresh" not in args and args[args.index("--threads") + 1] == "3"


def test_empty_job_parameters_mean_defaults(project: Path) -> None:
    options = job.make_options(project_dir=project, select="", skip_tests="", threads="", vars="")
    args = job.dbt_args(options)
    assert options.skip_tests is False and options.threads is None
    assert "--select" not in args and "--vars" not in args and "--threads" not in args


def test_skip_tests_with_run_is_accepted_and_means_nothing_more(project: Path) -> None:
    options = job.make_options(project_dir=project, command="run", skip_tests="TRUE")
    assert "--exclude-resource-type" not in job.dbt_args(options)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"command": "compile"}, "command: expected one of"),
        ({"command": "test", "skip_tests": True}, "skip_tests cannot be combined"),
        ({"command": "snapshot", "full_refresh": "true"}, "full_refresh applies to"),
        ({"skip_tests": "sometimes"}, "skip_tests: expected true or false"),
        ({"threads": "four"}, "threads: expected a whole number"),
        ({"threads": 0}, "threads: must be at least 1"),
    ],
)
def test_bad_parameters_are_usage_errors(
    project: Path, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(job.JobUsageError, match=message):
        job.run_dbt_job(project_dir=project, **kwargs)


def test_passthrough_gets_the_runners_locations_unless_given(project: Path) -> None:
    options = job.make_options(project_dir=project, dbt="source freshness --target-path /x")
    args = job.dbt_args(options)
    assert args[:2] == ["source", "freshness"] and options.command == "source freshness"
    assert args[args.index("--project-dir") + 1] == str(project)
    assert args.count("--target-path") == 1 and args[args.index("--target-path") + 1] == "/x"
    deps = job.dbt_args(job.make_options(project_dir=project, dbt=["debug"]))
    assert "--target-path" not in deps and "--profiles-dir" in deps


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dbt": "run", "select": "x"}, "select: give dbt's own flags after `--`"),
        ({"dbt": "run", "command": "seed"}, "command: give dbt's own flags"),
        ({"dbt": "docs serve"}, "dbt docs serve: give a dbt command that ends"),
        ({"dbt": "--fail-fast"}, "dbt \\(no command\\)"),
    ],
)
def test_passthrough_usage_errors(project: Path, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(job.JobUsageError, match=message):
        job.make_options(project_dir=project, **kwargs)


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--command", "compile"], ["--project-dir", str(tmp_path)]):
        with pytest.raises(SystemExit) as exit_info:
            job.main(argv)
        assert exit_info.value.code == job.EXIT_USAGE
    assert "no dbt_project.yml in" in capsys.readouterr().err


def _scripts_dir() -> Path:
    return Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        [str(_scripts_dir() / "dbt-session-job"), "--help"],
        [sys.executable, "-m", "dbt.adapters.databricks_session.job", "--help"],
        [sys.executable, str(ROOT / "examples" / "jobs" / "dbt_session_job.py"), "--help"],
    ],
    ids=["console-script", "python-m", "spark-python-task-file"],
)
def test_every_entry_point_answers(command: list[str]) -> None:
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert "--skip-tests" in result.stdout and "--artifacts-dir" in result.stdout


def test_importing_the_runner_does_not_import_pyspark() -> None:
    code = "import sys, dbt.adapters.databricks_session.job; print('pyspark' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "False", result.stderr
