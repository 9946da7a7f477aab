"""Workspace credentials for Jobs API submissions from a `method: session` profile.

Profile keys win (`host` with `token`, `client_id`/`client_secret`, `auth_type`, or
`databricks_profile`, a `~/.databrickscfg` profile). Without them, databricks-sdk's own default
chain decides: on a Databricks runtime its runtime (notebook) auth and the workspace URL the
runtime knows; elsewhere the `DATABRICKS_*` environment variables, the DEFAULT profile of
`~/.databrickscfg`, OAuth M2M. The SDK refreshes tokens itself; nothing here caches or logs one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dbt_common.exceptions import DbtConfigError

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.config import Config

NOTHING_FOUND = (
    "submission_method '{method}' submits the model through the Databricks Jobs API, and no "
    "workspace credentials were found for it. Set them in the profile (`host` with `token`, "
    "or `client_id` and `client_secret`, or `databricks_profile: <a ~/.databrickscfg profile>`), "
    "or in the environment (DATABRICKS_HOST with DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID and "
    "DATABRICKS_CLIENT_SECRET), or run on Databricks, where the job's own identity is used; or "
    "use submission_method 'session' (the default in session mode). The SDK said: {detail}"
)
ENV_KEYS = ("DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CLIENT_ID", "DATABRICKS_AUTH_TYPE")


@dataclass(frozen=True)
class CredentialSource:
    """Where Jobs API credentials come from (never the secret itself)."""

    origin: str  # "profile", "databricks_profile", "sdk default chain"
    detail: str


def has_profile_credentials(creds: Any) -> bool:
    """Credentials in the dbt profile's own keys (these win, as in dbt-databricks)."""
    return bool(creds.token or creds.client_secret or (creds.host and creds.auth_type))


def describe(creds: Any) -> CredentialSource:
    """For `dbt debug`: where the credentials would come from, without resolving a secret."""
    profile = getattr(creds, "databricks_profile", None)
    if has_profile_credentials(creds):
        kind = "token" if creds.token else (creds.auth_type or "OAuth client credentials")
        return CredentialSource("profile", f"host {creds.host or '(unset)'}, {kind}")
    if profile:
        return CredentialSource("databricks_profile", f"~/.databrickscfg profile {profile!r}")
    if os.environ.get("DATABRICKS_RUNTIME_VERSION"):
        return CredentialSource("sdk default chain", "the Databricks runtime's own identity")
    present = [name for name in ENV_KEYS if os.environ.get(name)]
    if present:
        return CredentialSource("sdk default chain", "environment: " + ", ".join(present))
    return CredentialSource("sdk default chain", "~/.databrickscfg DEFAULT profile, if any")


def sdk_config(creds: Any, method: str, **overrides: Any) -> Config:
    """A databricks-sdk Config: the profile's keys when set, else the SDK's default chain."""
    from databricks.sdk.config import Config

    profile = getattr(creds, "databricks_profile", None)
    try:
        if has_profile_credentials(creds):
            from dbt.adapters.databricks.credentials import DatabricksCredentialManager

            config = DatabricksCredentialManager.create_from(creds).config
            for key, value in overrides.items():
                setattr(config, key, value)
            return config
        if profile:
            return Config(profile=profile, **_host(creds), **overrides)
        return Config(**_host(creds), **overrides)
    except (DbtConfigError, AttributeError, TypeError):  # ours, or a bug: never "no credentials"
        raise
    except Exception as exc:  # the SDK raises ValueError (or its own errors) when nothing fits
        raise DbtConfigError(NOTHING_FOUND.format(method=method, detail=_short(exc))) from None


def workspace_client(creds: Any, method: str) -> WorkspaceClient:
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient(config=sdk_config(creds, method))


def _host(creds: Any) -> dict[str, Any]:
    return {"host": creds.host} if creds.host else {}


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]
