"""The job definition as code (examples/jobs/) against databricks-sdk's typed job settings.

databricks-sdk's `JobSettings.from_dict` silently drops keys it does not know, so a typo in a job
definition vanishes instead of failing. `spec_errors` walks the JSON against the SDK dataclasses'
fields (following list / dict / Optional / enum annotations) and reports every unknown key, wrong
type, unknown enum value and missing required field with its path.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import types
from enum import Enum
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest
import yaml
from databricks.sdk.service.jobs import JobSettings, Task

from dbt.adapters.databricks_session import job

ROOT = Path(__file__).resolve().parents[2]
JOB_JSON = ROOT / "examples" / "jobs" / "dbt_hourly_job.json"
BUNDLE_YAML = ROOT / "examples" / "jobs" / "databricks.yml"
DOC = ROOT / "docs" / "running-in-databricks-jobs.md"


# -- the validator -----------------------------------------------------------------------------


def spec_errors(value: Any, annotation: Any, path: str) -> list[str]:
    """Every way `value` does not fit `annotation` (an SDK dataclass, or a typing form)."""
    if annotation is Any:
        return []
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return _union_errors(value, annotation, path)
    if origin is list:
        return _list_errors(value, get_args(annotation)[0], path)
    if origin is dict:
        return _dict_errors(value, get_args(annotation)[1], path)
    if dataclasses.is_dataclass(annotation):
        return _object_errors(value, annotation, path)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        allowed = [member.value for member in annotation]
        return [] if value in allowed else [f"{path}: {value!r} is not one of {allowed}"]
    return _scalar_errors(value, annotation, path)


def _union_errors(value: Any, annotation: Any, path: str) -> list[str]:
    options = [arg for arg in get_args(annotation) if arg is not type(None)]
    if value is None:
        return []
    if len(options) == 1:
        return spec_errors(value, options[0], path)
    if any(not spec_errors(value, option, path) for option in options):
        return []
    return [f"{path}: {value!r} fits none of {options}"]


def _list_errors(value: Any, item: Any, path: str) -> list[str]:
    if not isinstance(value, list):
        return [f"{path}: expected a list, got {type(value).__name__}"]
    return [error for i, v in enumerate(value) for error in spec_errors(v, item, f"{path}[{i}]")]


def _dict_errors(value: Any, item: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: expected an object, got {type(value).__name__}"]
    return [error for k, v in value.items() for error in spec_errors(v, item, f"{path}.{k}")]


def _object_errors(value: Any, cls: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: expected an object ({cls.__name__}), got {type(value).__name__}"]
    hints = get_type_hints(cls)
    fields = {field.name: field for field in dataclasses.fields(cls)}
    errors = [f"{path}.{key}: unknown key for {cls.__name__}" for key in value if key not in fields]
    errors += [
        f"{path}.{name}: required by {cls.__name__}, missing"
        for name, field in fields.items()
        if name not in value
        and field.default is dataclasses.MISSING
        and field.default_factory is dataclasses.MISSING
    ]
    for key, item in value.items():
        if key in fields:
            errors += spec_errors(item, hints[key], f"{path}.{key}")
    return errors


def _scalar_errors(value: Any, annotation: Any, path: str) -> list[str]:
    if annotation is bool:
        ok = isinstance(value, bool)
    elif annotation is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif annotation is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif annotation is str:
        ok = isinstance(value, str)
    else:
        return [f"{path}: the validator cannot check {annotation!r}"]
    return [] if ok else [f"{path}: expected {annotation.__name__}, got {value!r}"]


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def job_json() -> dict[str, Any]:
    return json.loads(JOB_JSON.read_text())


def bundle_job_for(target: str) -> dict[str, Any]:
    """The bundle's job as `databricks bundle deploy -t <target>` resolves `${var.*}`."""
    bundle = yaml.safe_load(BUNDLE_YAML.read_text())
    variables = bundle["targets"][target]["variables"]
    assert set(variables) == set(bundle["variables"])
    (only_job,) = bundle["resources"]["jobs"].values()
    text = json.dumps(only_job)
    for name, value in variables.items():
        text = text.replace("${var." + name + "}", value)
    assert "${" not in text
    return json.loads(text)


@pytest.fixture(scope="module")
def bundle_job() -> dict[str, Any]:
    return bundle_job_for("prod")


def without_libraries(settings: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(settings))
    for task in copy["tasks"]:
        task.pop("libraries", None)
    return copy


def wheel_task(settings: dict[str, Any]) -> dict[str, Any]:
    (task,) = [task for task in settings["tasks"] if "python_wheel_task" in task]
    return task


# -- the job definition ------------------------------------------------------------------------


def test_job_json_fits_the_sdk_job_settings(job_json: dict[str, Any]) -> None:
    assert spec_errors(job_json, JobSettings, "job") == []


def test_sdk_round_trip_loses_nothing(job_json: dict[str, Any]) -> None:
    assert JobSettings.from_dict(job_json).as_dict() == job_json


def test_bundle_job_is_the_json_job(job_json: dict[str, Any], bundle_job: dict[str, Any]) -> None:
    assert spec_errors(bundle_job, JobSettings, "resources.jobs.dbt_hourly") == []
    assert without_libraries(bundle_job) == without_libraries(job_json)


def test_bundle_builds_and_uploads_the_wheel_itself() -> None:
    bundle = yaml.safe_load(BUNDLE_YAML.read_text())
    (artifact,) = bundle["artifacts"].values()
    assert artifact["type"] == "whl" and "python3 -m build --wheel" in artifact["build"]
    assert (BUNDLE_YAML.parent / artifact["path"] / "pyproject.toml").is_file()
    for target in ("dev", "prod"):
        (library,) = wheel_task(bundle_job_for(target))["libraries"]
        assert library == {"whl": "../../dist/*.whl"}  # the built file, no version in the path


def test_bundle_dev_target_writes_only_to_the_dev_catalog() -> None:
    dev = json.dumps(bundle_job_for("dev"))
    assert "prod" not in dev
    assert "/Volumes/dev_catalog/ops/dbt_artifacts/" in dev
    env = {p["name"]: p["default"] for p in bundle_job_for("dev")["parameters"]}["env"]
    assert env == "dev"  # --profiles-dir .../environments/dev: the dev profile and its catalog
    bundle = yaml.safe_load(BUNDLE_YAML.read_text())
    assert bundle["targets"]["dev"]["default"] is True


def test_hourly_on_one_job_cluster_with_failure_emails(job_json: dict[str, Any]) -> None:
    assert job_json["schedule"] == {
        "quartz_cron_expression": "0 0 * * * ?",
        "timezone_id": "UTC",
        "pause_status": "UNPAUSED",
    }
    (cluster,) = job_json["job_clusters"]
    assert all(task["job_cluster_key"] == cluster["job_cluster_key"] for task in job_json["tasks"])
    assert job_json["email_notifications"]["on_failure"]
    names = [parameter["name"] for parameter in job_json["parameters"]]
    assert names == ["env", "models", "skip_tests"]


def test_wheel_task_names_the_console_script(job_json: dict[str, Any]) -> None:
    task = wheel_task(job_json)["python_wheel_task"]
    (script,) = entry_points(group="console_scripts", name=task["entry_point"])
    assert script.load() is job.main
    assert script.dist is not None
    assert re.sub(r"[-_.]+", "_", script.dist.name) == task["package_name"]
    (library,) = wheel_task(job_json)["libraries"]
    assert Path(library["whl"]).name.startswith(task["package_name"] + "-")


def resolve_references(parameters: list[str], values: dict[str, str]) -> list[str]:
    """Substitute `{{job.parameters.x}}` and `{{job.run_id}}` as the Jobs service would."""

    def value(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return [re.sub(r"\{\{\s*([\w.]+)\s*\}\}", value, parameter) for parameter in parameters]


@pytest.mark.parametrize(
    ("models", "skip_tests", "select", "skip"),
    [
        ("", "false", (), False),
        ("stg_customers+ orders", "true", ("stg_customers+", "orders"), True),
    ],
)
def test_task_parameters_parse_as_the_runner_expects(
    job_json: dict[str, Any], models: str, skip_tests: str, select: tuple[str, ...], skip: bool
) -> None:
    defaults = {f"job.parameters.{p['name']}": p["default"] for p in job_json["parameters"]}
    values = {**defaults, "job.parameters.models": models, "job.parameters.skip_tests": skip_tests}
    values["job.run_id"] = "7"
    parameters = resolve_references(wheel_task(job_json)["python_wheel_task"]["parameters"], values)
    parsed = job.build_parser().parse_args(parameters)
    assert parsed.command == "build"
    assert job.selection_words(parsed.select) == select
    assert parsed.skip_tests is skip
    assert parsed.deps is True
    assert parsed.profiles_dir.endswith("/environments/prod")
    assert parsed.artifacts_dir.startswith("/Volumes/") and parsed.artifacts_dir.endswith("/7")


def test_every_json_snippet_in_the_docs_fits_the_sdk() -> None:
    snippets = re.findall(r"```json\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    assert snippets
    for number, text in enumerate(snippets):
        snippet = json.loads(text)
        schema = JobSettings if "tasks" in snippet else Task
        assert spec_errors(snippet, schema, f"docs snippet {number}") == []


# -- the validator catches what from_dict drops ------------------------------------------------


def broken(job_json: dict[str, Any], edit: Any) -> dict[str, Any]:
    bad = copy.deepcopy(job_json)
    edit(bad)
    return bad


def _set(path: list[Any], value: Any) -> Any:
    def edit(settings: dict[str, Any]) -> None:
        target = settings
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return edit


BAD_COPIES = [
    (_set(["shedule"], {}), "job.shedule: unknown key for JobSettings"),
    (
        _set(["job_clusters", 0, "new_cluster", "num_worker"], 2),
        "job.job_clusters[0].new_cluster.num_worker: unknown key for ClusterSpec",
    ),
    (
        _set(["tasks", 0, "python_wheel_task", "entrypoint"], "x"),
        "job.tasks[0].python_wheel_task.entrypoint: unknown key for PythonWheelTask",
    ),
    (
        _set(["email_notifications", "on_failur"], ["a@b.c"]),
        "job.email_notifications.on_failur: unknown key for JobEmailNotifications",
    ),
    (
        _set(["tasks", 0, "libraries", 0, "wheel"], "x.whl"),
        "job.tasks[0].libraries[0].wheel: unknown key for Library",
    ),
    (
        _set(["job_clusters", 0, "new_cluster", "data_security_mode"], "DEDICATED_ISH"),
        "job.job_clusters[0].new_cluster.data_security_mode: 'DEDICATED_ISH' is not one of",
    ),
    (
        _set(["job_clusters", 0, "new_cluster", "num_workers"], "2"),
        "job.job_clusters[0].new_cluster.num_workers: expected int, got '2'",
    ),
    (
        _set(["tasks", 0, "python_wheel_task", "parameters"], "--deps"),
        "job.tasks[0].python_wheel_task.parameters: expected a list",
    ),
    (
        lambda settings: settings["tasks"][0].pop("task_key"),
        "job.tasks[0].task_key: required by Task, missing",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), BAD_COPIES)
def test_validator_reports_each_mistake_with_its_path(
    job_json: dict[str, Any], edit: Any, expected: str
) -> None:
    errors = spec_errors(broken(job_json, edit), JobSettings, "job")
    assert len(errors) == 1, errors
    assert errors[0].startswith(expected), errors


def test_sdk_from_dict_alone_would_not_notice(job_json: dict[str, Any]) -> None:
    bad = broken(job_json, _set(["job_clusters", 0, "new_cluster", "num_worker"], 2))
    assert JobSettings.from_dict(bad).as_dict() == job_json  # the typo silently vanished
