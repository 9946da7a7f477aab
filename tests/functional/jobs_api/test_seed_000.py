"""Seed 000's two workflow_job examples, configured exactly as documented, built end to end:
the job is created then reset (never duplicated), runs for real, and a SQL model reads it."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.util import run_dbt

from tests.databricks_emulator import DatabricksEmulator
from tests.functional.jobs_api.conftest import CLUSTER_ID, EXISTING_JOB_ID

# Seed 000's model, verbatim (incremental appends on local Spark without Delta).
MODEL = """
# my_model.py
import pyspark.sql.types as T
import pyspark.sql.functions as F


def model(dbt, session):
    dbt.config(
        materialized='incremental',
        submission_method='workflow_job'
    )

    output_schema = T.StructType([
        T.StructField("id", T.StringType(), True),
        T.StructField("timestamp", T.TimestampType(), True),
    ])
    return spark.createDataFrame(data=spark.sparkContext.emptyRDD(), schema=output_schema)
"""

# Both YAML blocks of seed 000, verbatim but for the model names.
SCHEMA = """
models:
  - name: block_one
    config:
      python_job_config:
        # This is also applied to one-time run models
        email_notifications: { on_failure: ["reynoldxin@databricks.com"] }
        max_retries: 2
        timeout_seconds: 18000
        existing_cluster_id: 1234a-123-1234 # Use in place of job_cluster_config or null

        # Name must be unique unless existing_job_id is also defined
        name: my_workflow_name
        existing_job_id: 12341234

        # Override settings for your model's dbt task. For instance, you can
        # change the task key
        additional_task_settings: { "task_key": "my_dbt_task" }

        # Define tasks to run before/after the model
        post_hook_tasks:
          [
            {
              "depends_on": [{ "task_key": "my_dbt_task" }],
              "task_key": "OPTIMIZE_AND_VACUUM",
              "notebook_task":
                { "notebook_path": "/my_notebook_path", "source": "WORKSPACE" },
            },
          ]

        # Also applied to one-time run models
        grants:
          view: [{ "group_name": "marketing-team" }]
          run: [{ "user_name": "alighodsi@databricks.com" }]
          manage: []

      # Reused for the workflow job cluster definition
      job_cluster_config:
        spark_version: "15.3.x-scala2.12"
        node_type_id: "rd-fleet.2xlarge"
        runtime_engine: "{{ var('job_cluster_defaults.runtime_engine') }}"
        data_security_mode: "{{ var('job_cluster_defaults.data_security_mode') }}"
        autoscale: { "min_workers": 1, "max_workers": 4 }

  - name: block_two

    config:
      python_job_config:
        additional_task_settings:
          { task_key: "task_a", job_cluster_key: "cluster_a" }
        post_hook_tasks:
          [
            {
              depends_on: [{ "task_key": "task_a" }],
              task_key: "OPTIMIZE_AND_VACUUM",
              job_cluster_key: "cluster_a",
              notebook_task:
                {
                  notebook_path: "/OPTIMIZE_AND_VACUUM",
                  source: "WORKSPACE",
                  base_parameters:
                    {
                      database: "{{ target.database }}",
                      schema: "{{ target.schema }}",
                      table_name: "block_two",
                    },
                },
            },
          ]
        job_clusters:
          [
            {
              job_cluster_key: "cluster_a",
              new_cluster:
                {
                  spark_version: "{{ var('dbr_versions')['lts_v14'] }}",
                  node_type_id: "{{ var('cluster_node_types')['large_job'] }}",
                  runtime_engine: "{{ var('job_cluster_defaults.runtime_engine') }}",
                  autoscale: { "min_workers": 1, "max_workers": 2 },
                },
            },
          ]
"""

DOWNSTREAM = (
    "select (select count(*) from {{ ref('block_one') }}) + "
    "(select count(*) from {{ ref('block_two') }}) + 1 as n"
)


class TestSeed000:
    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return {
            "vars": {
                "job_cluster_defaults.runtime_engine": "STANDARD",
                "job_cluster_defaults.data_security_mode": "SINGLE_USER",
                "dbr_versions": {"lts_v14": "14.3.x-scala2.12"},
                "cluster_node_types": {"large_job": "i3.xlarge"},
            }
        }

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "block_one.py": MODEL,
            "block_two.py": MODEL,
            "schema.yml": SCHEMA,
            "downstream.sql": DOWNSTREAM,
        }

    def test_both_blocks_build_and_rebuild(self, project: Any, emulator: DatabricksEmulator):
        jobs_before = set(emulator.jobs)
        run_dbt(["run"])
        created = set(emulator.jobs) - jobs_before
        assert len(created) == 1  # block two; block one uses existing_job_id
        assert project.run_sql("select n from {schema}.downstream", fetch="one")[0] == 1

        one = emulator.jobs[EXISTING_JOB_ID].settings
        assert one["name"] == "my_workflow_name"
        assert one["email_notifications"] == {"on_failure": ["reynoldxin@databricks.com"]}
        assert one["timeout_seconds"] == 18000
        model_task, hook = one["tasks"]
        assert model_task["task_key"] == "my_dbt_task"
        assert model_task["existing_cluster_id"] == CLUSTER_ID  # in place of job_cluster_config
        assert "new_cluster" not in model_task
        assert model_task["max_retries"] == 2
        assert model_task["notebook_task"]["source"] == "WORKSPACE"
        assert hook == {
            "depends_on": [{"task_key": "my_dbt_task"}],
            "task_key": "OPTIMIZE_AND_VACUUM",
            "notebook_task": {"notebook_path": "/my_notebook_path", "source": "WORKSPACE"},
        }
        assert sorted(
            (e.get("user_name") or e.get("group_name"), e["permission_level"])
            for e in emulator.acl("jobs", EXISTING_JOB_ID)
        ) == [
            ("alighodsi@databricks.com", "CAN_MANAGE_RUN"),
            (emulator.state.user_name, "IS_OWNER"),
            ("marketing-team", "CAN_VIEW"),
        ]

        (two_id,) = created
        two = emulator.jobs[two_id].settings
        assert two["name"] == f"dbt__spark_catalog-{project.test_schema}-block_two"
        assert two["job_clusters"][0]["new_cluster"]["runtime_engine"] == "STANDARD"
        assert two["tasks"][0]["job_cluster_key"] == "cluster_a"
        assert two["tasks"][0]["task_key"] == "task_a"
        assert two["tasks"][1]["notebook_task"]["base_parameters"]["table_name"] == "block_two"

        runs = {
            run.job_id: run
            for run in emulator.runs.values()
            if run.job_id in (EXISTING_JOB_ID, two_id)
        }
        assert runs[EXISTING_JOB_ID].executed == ["my_dbt_task", "OPTIMIZE_AND_VACUUM"]
        assert runs[two_id].executed == ["task_a", "OPTIMIZE_AND_VACUUM"]
        assert all(run.result == "SUCCESS" for run in runs.values())

        # The journal (threads interleave other models' requests): reset, ACL, run, in order.
        def about_job_one(request: dict) -> bool:
            body = request["body"] or {}
            return body.get("job_id") == EXISTING_JOB_ID or request["path"].endswith(
                f"/permissions/jobs/{EXISTING_JOB_ID}"
            )

        reset, acl_put, run_now = [r for r in emulator.requests if about_job_one(r)][:3]
        assert reset["path"].endswith("/jobs/reset")
        assert reset["body"]["new_settings"] == one
        assert acl_put["method"] == "PUT"
        assert acl_put["body"]["access_control_list"] == [
            {"user_name": emulator.state.user_name, "permission_level": "IS_OWNER"},
            {"group_name": "marketing-team", "permission_level": "CAN_VIEW"},
            {"user_name": "alighodsi@databricks.com", "permission_level": "CAN_MANAGE_RUN"},
        ]
        assert run_now["path"].endswith("/jobs/run-now")
        assert run_now["body"]["queue"] == {"enabled": True}
        assert run_now["body"]["idempotency_token"]
        notebook_acls = [
            r["body"]["access_control_list"]
            for r in emulator.requests_to("PUT", "")
            if "/permissions/notebooks/" in r["path"]
        ]
        assert [
            {"group_name": "marketing-team", "permission_level": "CAN_READ"},
            {"user_name": "alighodsi@databricks.com", "permission_level": "CAN_RUN"},
        ] in notebook_acls

        # The second build resets the same jobs: none is created.
        run_dbt(["run"])
        assert set(emulator.jobs) - jobs_before == created
        resets = [r["body"]["job_id"] for r in emulator.requests_to("POST", "/jobs/reset")]
        assert resets.count(EXISTING_JOB_ID) == 2 and resets.count(two_id) == 1
        assert len(emulator.requests_to("POST", "/jobs/run-now")) == 4
