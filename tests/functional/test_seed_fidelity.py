"""`dbt seed` loads every value exactly: checked against the CSV file read with Python's csv
module, value by value and type by type. A value that does not fit its declared type fails the
seed instead of becoming NULL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from dbt.tests.util import run_dbt

TEXT = [
    "it's",
    "''",
    "\\'",
    'say "hi"',
    '"',
    "back\\slash",
    "C:\\new\\table",
    "ends with \\",
    "\\\\",
    "\\u0024",
    "100%",
    "%s",
    "%%",
    "%(name)s",
    "line1\nline2",
    "tab\there",
    "naïve café ß",
    "日本語テキスト",
    "emoji 🎉👍🏽 \U0001f600",
    "${env:HOME}",
    "${spark.app.name}",
    "$",
    "what?",
    "? ?",
    ":name",
    "a,b;c",
    "-- comment",
    "/* c */",
    "'; DROP TABLE x; --",
    "`backtick`",
    " leading and trailing ",
    "",  # an empty field is NULL
]
BIG = [
    "9007199254740993",  # 2^53 + 1: a float would make it ...992
    "-9007199254740993",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775806",
    "0",
    "",
]
DEC = [
    "1234567890123456789012345678.1234567890",
    "-9999999999999999999999999999.9999999999",
    "9999999999999999999999999999.9999999999",
    "0.0000000001",
    "-0.0000000001",
    "0.1000000000",
    "42",
    "",
]
DATES = ["2024-02-29", "1970-01-01", "1582-10-10", "0001-01-01", "9999-12-31", "1900-03-01", ""]
TIMESTAMPS = [
    "2024-02-29 23:59:59",
    "1970-01-01 00:00:00",
    "1999-12-31 12:30:00",
    "2100-06-15 01:02:03",
    "",
]
TIMESTAMPS_US = [
    "2024-02-29 23:59:59.999999",
    "1970-01-01 00:00:00.000001",
    "2000-01-01 12:00:00.5",
    "1999-12-31 23:59:59",
    "",
]
FLAGS = ["true", "false", ""]

COLUMNS: dict[str, list[str]] = {
    "txt": TEXT,
    "big": BIG,
    "dec": DEC,
    "d": DATES,
    "ts": TIMESTAMPS,
    "ts_us": TIMESTAMPS_US,
    "flag": FLAGS,
}
EXPECTED_TYPES = {
    "id": "bigint",
    "txt": "string",
    "big": "bigint",
    "dec": "decimal(38,10)",
    "d": "date",
    "ts": "timestamp",
    "ts_us": "timestamp",
    "flag": "boolean",
}


def seed_csv() -> str:
    rows = max(len(values) for values in COLUMNS.values())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", *COLUMNS])
    for i in range(rows):
        writer.writerow([i + 1, *(v[i] if i < len(v) else "" for v in COLUMNS.values())])
    return out.getvalue()


def scale_10(text: str) -> str:
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction:0<10}"


def parse_bool(text: str) -> bool:
    return {"true": True, "false": False}[text]


CONVERT: dict[str, Callable[[str], Any]] = {
    "id": int,
    "txt": str,
    "big": int,
    "dec": Decimal,
    "d": dt.date.fromisoformat,
    "ts": dt.datetime.fromisoformat,
    "ts_us": dt.datetime.fromisoformat,
    "flag": parse_bool,
}


def fresh(spark: Any) -> Any:
    """A new session on the shared Spark: sessions cache file listings of the tables they read,
    and dbt rewrites the seed from its own sessions."""
    return spark.newSession()


def read_expected(path: str) -> list[dict[str, Any]]:
    """The seed file, read independently: every field converted to the Python value it means."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            {name: None if text == "" else CONVERT[name](text) for name, text in row.items()}
            for row in csv.DictReader(handle)
        ]


class TestSeedFidelity:
    @pytest.fixture(scope="class")
    def seeds(self) -> dict[str, str]:
        return {"fidelity.csv": seed_csv()}

    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return {
            "seeds": {
                "+column_types": {"dec": "decimal(38,10)", "ts_us": "timestamp"},
            }
        }

    def test_every_value_loads_exactly(self, project: Any, spark: Any) -> None:
        results = run_dbt(["seed"])
        assert [r.status for r in results] == ["success"]

        table = f"spark_catalog.{project.test_schema}.fidelity"
        spark = fresh(spark)
        types = {f.name: f.dataType.simpleString() for f in spark.table(table).schema.fields}
        assert types == EXPECTED_TYPES

        expected = read_expected(os.path.join(project.project_root, "seeds", "fidelity.csv"))
        assert len(expected) == max(len(v) for v in COLUMNS.values())
        loaded = [row.asDict() for row in spark.sql(f"select * from {table} order by id").collect()]
        assert len(loaded) == len(expected)
        for want, got in zip(expected, loaded):
            for name in want:
                assert got[name] == want[name], (
                    f"row {want['id']} column {name}: loaded {got[name]!r}, file has {want[name]!r}"
                )
                assert type(got[name]) is type(want[name]), (name, got[name], want[name])

        # Decimals are stored with scale 10 (read as text: PySpark hands 1E-10 to Python with
        # another exponent), and the texts are exactly the file's texts.
        dec_texts = [
            row[0]
            for row in spark.sql(
                f"select cast(dec as string) from {table} where dec is not null order by id"
            ).collect()
        ]
        assert dec_texts == [scale_10(v) for v in DEC if v]
        assert sorted(t for t in (row["txt"] for row in loaded) if t is not None) == sorted(
            t for t in TEXT if t
        )

    def test_reseeding_replaces_the_rows(self, project: Any, spark: Any) -> None:
        run_dbt(["seed"])
        run_dbt(["seed"])
        table = f"spark_catalog.{project.test_schema}.fidelity"
        assert fresh(spark).table(table).count() == max(len(v) for v in COLUMNS.values())


BAD_SEED = "id,small,dec\n1,1,1.5\n2,99999999999,2.5\n3,3,12345678901234567890123456789.5\n"


class BadSeed:
    @pytest.fixture(scope="class")
    def seeds(self) -> dict[str, str]:
        return {"too_big.csv": BAD_SEED}

    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return {"seeds": {"+column_types": {"small": "int", "dec": "decimal(38,10)"}}}

    def failed_seed(self, project: Any, spark: Any) -> str:
        results = run_dbt(["seed"], expect_pass=False)
        assert len(results) == 1 and results[0].status == "error"
        table = f"spark_catalog.{project.test_schema}.too_big"
        spark = fresh(spark)
        if spark.catalog.tableExists(table):
            # No row was loaded, so no value was loaded as NULL.
            assert spark.table(table).count() == 0
        return str(results[0].message)


def assert_names_the_columns(message: str) -> None:
    assert "do not fit their column types" in message
    assert "`small` as int" in message
    assert "`dec` as decimal(38,10)" in message
    assert "column_types" in message
    assert "_c1" not in message and "\n\tat " not in message


class TestSeedValueTooBigFails(BadSeed):
    """Spark 4's default ANSI mode: the CAST would fail, naming only an internal column."""

    def test_seed_fails_naming_the_columns(self, project: Any, spark: Any) -> None:
        assert_names_the_columns(self.failed_seed(project, spark))


class TestSeedValueTooBigFailsWithoutAnsi(BadSeed):
    """Without ANSI mode Spark's CAST would make the values NULL: the adapter refuses."""

    @pytest.fixture(scope="class")
    def dbt_profile_target(self, dbt_profile_target: dict[str, Any]) -> dict[str, Any]:
        return {**dbt_profile_target, "session_properties": {"spark.sql.ansi.enabled": "false"}}

    def test_seed_fails_naming_the_columns(self, project: Any, spark: Any) -> None:
        assert_names_the_columns(self.failed_seed(project, spark))
