# Databricks notebook source
# MAGIC %md
# MAGIC # dbt hourly build, in this cluster's Spark session
# MAGIC
# MAGIC Runs the dbt project **in this notebook's Python process** (`method: session`), so every
# MAGIC model runs on this cluster's SparkSession. Widgets (or the job's parameters): `env`,
# MAGIC `models`, `skip_tests`. The cell fails, and with it the job task, unless dbt succeeded.
# MAGIC Install dbt-databricks-session as a cluster/task library, or with the `%pip` cell below.

# COMMAND ----------

# MAGIC %pip install /Volumes/prod_catalog/ops/wheels/dbt_databricks_session-0.1.0-py3-none-any.whl

# COMMAND ----------

dbutils.widgets.text("env", "prod")
dbutils.widgets.text("models", "")
dbutils.widgets.dropdown("skip_tests", "false", ["false", "true"])
dbutils.widgets.text("run_id", "manual")

# COMMAND ----------

from dbt.adapters.databricks_session.job import run_dbt_job

PROJECT = "/Workspace/Repos/data-platform-infra/dbt"
env = dbutils.widgets.get("env")
run_id = dbutils.widgets.get("run_id")  # the job passes {{job.run_id}}

result = run_dbt_job(
    project_dir=PROJECT,
    profiles_dir=f"{PROJECT}/environments/{env}",
    select=dbutils.widgets.get("models"),  # "" = everything
    skip_tests=dbutils.widgets.get("skip_tests"),  # "true" / "false"
    deps=True,
    target_path="/tmp/dbt/target",
    log_path="/tmp/dbt/logs",
    artifacts_dir=f"/Volumes/prod_catalog/ops/dbt_artifacts/dbt_hourly/{run_id}",
)
