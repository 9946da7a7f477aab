from dbt.adapters.base import AdapterPlugin
from dbt.include import databricks_session

from dbt.adapters.databricks_session.connections import DatabricksSessionConnectionManager  # noqa
from dbt.adapters.databricks_session.credentials import DatabricksSessionCredentials
from dbt.adapters.databricks_session.impl import DatabricksSessionAdapter

Plugin = AdapterPlugin(
    adapter=DatabricksSessionAdapter,  # type: ignore[arg-type]
    credentials=DatabricksSessionCredentials,
    include_path=databricks_session.PACKAGE_PATH,
    dependencies=["databricks"],
)
