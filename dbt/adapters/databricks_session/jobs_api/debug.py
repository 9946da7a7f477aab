"""`dbt debug` in session mode: where Jobs API credentials would come from, and a probe."""

from __future__ import annotations

from typing import Any

from dbt.adapters.databricks.logging import logger
from dbt_common.exceptions import DbtConfigError

from dbt.adapters.databricks_session.jobs_api import auth

PROBE_SECONDS = 10


def report(creds: Any) -> None:
    """Log the credential source and whether the workspace answers; never a secret, never raise."""
    source = auth.describe(creds)
    logger.info(f"  Jobs API credentials: {source.origin} ({source.detail})")
    try:
        from databricks.sdk import WorkspaceClient

        config = auth.sdk_config(
            creds,
            "workflow_job",
            http_timeout_seconds=PROBE_SECONDS,
            retry_timeout_seconds=PROBE_SECONDS,
        )
        user = WorkspaceClient(config=config).current_user.me().user_name
        logger.info(f"  Jobs API workspace: {config.host} answers (as {user})")
    except DbtConfigError:
        logger.info(
            "  Jobs API workspace: no credentials found (only needed for submission methods "
            "other than `session`: set host/token or databricks_profile, or DATABRICKS_* "
            "environment variables)"
        )
    except Exception as exc:  # a probe: report and carry on
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        logger.info(f"  Jobs API workspace: not reachable ({type(exc).__name__}: {first[:200]})")
