"""A `spark_python_task` file that runs dbt in the task's own process, on its Spark session.

Point the task's `python_file` at this file (in a Git folder, a workspace folder or a Volume),
install dbt-databricks-session as a task library, and pass the flags of `dbt-session-job` as the
task's `parameters`, for example:

    ["--project-dir", "/Workspace/Repos/data-platform-infra/dbt", "--skip-tests", "false"]

The task fails (non-zero exit) unless dbt succeeded.
"""

from dbt.adapters.databricks_session.job import main

if __name__ == "__main__":
    main()
