"""Strict Jobs API config validation (no Spark, no network)."""

from __future__ import annotations

import pytest
from dbt_common.exceptions import DbtValidationError

from dbt.adapters.databricks_session.jobs_api.client import with_compute
from dbt.adapters.databricks_session.jobs_api.helpers import poll_interval
from dbt.adapters.databricks_session.jobs_api.validation import check_model_config, config_errors


def test_valid_seed_style_config_passes() -> None:
    config = {
        "job_cluster_config": {"spark_version": "15.3.x", "autoscale": {"min_workers": 1}},
        "python_job_config": {
            "email_notifications": {"on_failure": ["a@b.c"]},
            "max_retries": 2,
            "existing_job_id": 12341234,
            "grants": {"view": [{"group_name": "g"}], "manage": []},
            "post_hook_tasks": [{"task_key": "t", "notebook_task": {"notebook_path": "/p"}}],
            "additional_task_settings": {"task_key": "x"},
        },
        "access_control_list": [{"user_name": "u", "permission_level": "CAN_VIEW"}],
    }
    assert config_errors(config) == []


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"python_job_config": {"email_notification": {}}},
            "`python_job_config.email_notification`: unknown key; did you mean "
            "`email_notifications`?",
        ),
        ({"python_job_config": {"timeout_seconds": "abc"}}, "expected int"),
        ({"job_cluster_config": {"runtime_engine": "FAST"}}, "'FAST' is not a valid value"),
        (
            {"python_job_config": {"job_clusters": [{"job_cluster_key": "a"}]}},
            "`python_job_config.job_clusters[0].new_cluster`: required key missing",
        ),
        (
            {"access_control_list": [{"user_name": "u", "permission_level": "CAN_MANGE"}]},
            "did you mean `CAN_MANAGE`?",
        ),
        ({"python_job_config": {"grants": {"veiw": []}}}, "did you mean `view`?"),
        ({"python_job_config": {"existing_job_id": "abc"}}, "expected a job id"),
        ({"cluster_id": 5}, "`cluster_id`: expected str"),
        (
            {"python_job_config": {"additional_task_settings": {"job_cluster_ky": "a"}}},
            "did you mean `job_cluster_key`?",
        ),
    ],
)
def test_each_problem_named_by_path(config: dict, expected: str) -> None:
    with pytest.raises(DbtValidationError) as info:
        check_model_config("model.p.m", config)
    assert expected in str(info.value) and "model.p.m" in str(info.value)


def test_compute_override_replaces_the_cluster() -> None:
    task = {"task_key": "t", "new_cluster": {"spark_version": "x"}}
    assert with_compute(task, {"existing_cluster_id": "c"}) == {
        "task_key": "t",
        "existing_cluster_id": "c",
    }
    assert with_compute(task, {"max_retries": 1})["new_cluster"] == {"spark_version": "x"}


class _Creds:
    jobs_api_poll_interval = 2.5


def test_poll_interval_model_then_profile_then_default() -> None:
    assert poll_interval({"jobs_api_poll_interval": 0.5}, _Creds()) == 0.5
    assert poll_interval({}, _Creds()) == 2.5
    assert poll_interval({}, object()) == 10.0
    with pytest.raises(DbtValidationError):
        poll_interval({"jobs_api_poll_interval": 0}, _Creds())
