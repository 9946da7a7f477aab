"""`dbt debug` (dbt.tests.adapter.dbt_debug). The base classes hold fixtures and helpers only;
their checks live in Postgres' subclasses, so the checks here are this adapter's, as upstream
dbt-databricks writes its own `test_ok`."""

from typing import Any

import pytest
from dbt.tests.adapter.dbt_debug.test_dbt_debug import BaseDebug, BaseDebugProfileVariable
from dbt.tests.util import run_dbt, run_dbt_and_capture

pytestmark = pytest.mark.delta


class DebugChecks:
    capsys: Any

    def test_ok(self, project: Any) -> None:
        run_dbt(["debug"])
        out = self.capsys.readouterr().out
        assert "ERROR" not in out
        assert "All checks passed!" in out
        assert "method: session" in out
        assert f"schema: {project.test_schema}" in out

    def test_connection_flag(self, project: Any) -> None:
        _, out = run_dbt_and_capture(["debug", "--connection"])
        assert "Skipping steps before connection verification" in out
        assert "OK connection ok" in out
        _, out = run_dbt_and_capture(
            ["debug", "--connection", "--target", "NONE"], expect_pass=False
        )
        assert "1 check failed" in out
        assert "The profile 'test' does not have a target named 'NONE'." in out


class TestDebug(DebugChecks, BaseDebug):
    pass


class TestDebugProfileVariable(DebugChecks, BaseDebugProfileVariable):
    pass
