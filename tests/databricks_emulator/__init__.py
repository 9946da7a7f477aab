"""An offline Databricks REST emulator for the Jobs API paths of Python models.

A threaded HTTP server on 127.0.0.1 speaking the real request and reply shapes of the endpoints
dbt-databricks' Python submissions use, with its own strict payload validation (schema.py: the
SDK's typed classes walked by the emulator's own code, plus semantic checks), a run engine that
executes notebook tasks for real on a local Spark (runs.py, executor.py), fault injection and a
request journal. This interface is stable; scripts and tests may rely on it.

Python::

    from tests.databricks_emulator import DatabricksEmulator

    with DatabricksEmulator(spark=None) as emu:      # spark=None: the process's own session
        emu.url          # "http://127.0.0.1:<port>"  (use as the workspace `host`)
        emu.token        # the one bearer token it accepts (401 UNAUTHENTICATED otherwise)
        emu.client_id, emu.client_secret   # OAuth M2M credentials that obtain `token`
        emu.requests     # [{"method", "path", "query", "body"}, ...] in arrival order
        emu.add_fault(method="POST", path="*/jobs/runs/submit", status=503, retry_after=0)
        emu.jobs, emu.runs            # {job_id: Job}, {run_id: Run} (created by the API)
        emu.acl("jobs", job_id)       # the ACL entries as set, owner included
        emu.add_cluster("1234a-123-1234")      # an existing cluster (state RUNNING)
        emu.add_notebook("/path", source)      # a workspace notebook, e.g. for post-hook tasks
        emu.add_job({"name": ...}, job_id=N)   # a pre-existing job (existing_job_id)
        emu.settings.startup_seconds = 0.2     # how long each run stays PENDING
        emu.settings.failure_life_cycle = "INTERNAL_ERROR"  # or "TERMINATED" (default)

`DatabricksEmulator(spark=None, *, spark_less=False, startup_seconds=0.0,
failure_life_cycle="TERMINATED", port=0, journal_path=None, user_name=None)`. Notebook tasks run
on the session given, or with none on `SparkSession.builder.getOrCreate()` when the task starts
(the session dbt's session mode already uses); `spark_less=True` runs them as plain Python with
no `spark`. A user name that is a UUID makes the caller a service principal.

CLI: `python -m tests.databricks_emulator --port N --journal FILE [--token T]` serves (Spark-less)
until killed, printing its URL and token, and appends each request to FILE as one JSON line of
the same shape as `.requests`.

Endpoints: SCIM Me; workspace mkdirs/import/get-status; jobs 2.1/2.2 create/reset/get/list
(exact, case-insensitive `name` filter, paginated)/run-now; runs submit/get/get-output/cancel;
permissions get/set(PUT)/update(PATCH) for jobs and notebooks; clusters get/start; libraries
cluster-status; 1.2 contexts create/status/destroy and commands execute/status/cancel;
`/.well-known/databricks-config` (naming its OIDC endpoint); OAuth M2M at
`/oidc/.well-known/oauth-authorization-server` and `/oidc/v1/token` (client credentials by HTTP
Basic, `emu.client_id`/`emu.client_secret`, yield `emu.token`). Control: `GET /__emu/requests`,
`POST /__emu/faults` (a fault rule as JSON). Errors use Databricks' `{"error_code", "message"}`
shape.

Validation: unknown keys, wrong types, bad enum values and missing required fields in a body are
400 INVALID_PARAMETER_VALUE naming the path; so are duplicate task keys, missing or cyclic
`depends_on`, undefined `job_cluster_key`, more than one compute per task, unknown
`existing_cluster_id`, permission levels invalid for the object, and more than one job owner.
`runs/submit` and `run-now` honour `idempotency_token` (a replay returns the first run).

Runs: PENDING for `startup_seconds`, then tasks run in dependency order honouring `run_if`,
`max_retries`, task and run `timeout_seconds` (TIMEDOUT) and `runs/cancel` (CANCELED; the notebook
is interrupted and its Spark jobs cancelled). Notebook tasks execute (cells split on
`# COMMAND ----------`, globals `spark` and a minimal `dbutils`: `widgets.get` from
`base_parameters`, `notebook.exit`, `library.restartPython`); magic cells and every other task
type fail with EMULATOR_UNSUPPORTED, never success. A failed task's `runs/get-output` has `error`
and `error_trace` (the Python traceback).

Faults (`add_fault` keywords): `method`, `path` (fnmatch glob), `times` (default 1), `offset`
(matches to let through first), and one kind: `status` (+ `error_code`, `message`,
`retry_after` seconds), `delay` (seconds, then handled normally), `hang` (no reply until the
emulator stops), `drop` (connection closed, request not applied) or `drop_after_apply`
(applied, then the connection closed unanswered: the duplicate-submit hazard).

What it does not prove: the service's real validation (the SDK's classes can lag or lead it),
SQL warehouses or Thrift, real clusters, libraries or `%pip`, auth flows other than a bearer
token and OAuth M2M client credentials, and the service's timing.
"""

from tests.databricks_emulator.server import DatabricksEmulator, Fault

__all__ = ["DatabricksEmulator", "Fault"]
