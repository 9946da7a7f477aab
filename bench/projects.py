"""Generated dbt projects for the benchmark. Every project runs unchanged on both adapters.

Models only use SQL that open-source Spark, dbt-spark and dbt-databricks all accept, and set
`file_format` (parquet, or delta for `--table-format delta`), so both adapters create the same
kind of table.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import shutil
from pathlib import Path

PROJECT_NAME = "bench"
GROUP_SIZE = 10  # models per group: 1 root, a chain of 4, a fan-out of 4, 1 fan-in join
ROOT_ROWS = 1000
SEED_NAME = "bench_seed"
SEED_COLUMNS = ("id", "customer", "amount", "quantity", "order_date", "created_at")


def dbt_project_yml(name: str = PROJECT_NAME, file_format: str = "parquet") -> str:
    return (
        f"name: {name}\n"
        'version: "1.0"\n'
        "config-version: 2\n"
        f"profile: {PROJECT_NAME}\n"
        'model-paths: ["models"]\n'
        'seed-paths: ["seeds"]\n'
        "models:\n"
        f"  {name}:\n"
        "    +materialized: table\n"
        f"    +file_format: {file_format}\n"
        "seeds:\n"
        f"  {name}:\n"
        f"    +file_format: {file_format}\n"
    )


def _fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    (path / "models").mkdir(parents=True)
    (path / "seeds").mkdir()
    return path


def model_sql(index: int) -> str:
    """Model `m{index:04d}`: its place in a group of 10 decides what it selects from."""
    group, slot = divmod(index, GROUP_SIZE)
    base = group * GROUP_SIZE

    def ref(slot_: int) -> str:
        return "{{ ref('m" + f"{base + slot_:04d}" + "') }}"

    if slot == 0:  # root
        return (
            "select id, cast(id % 7 as int) as k, concat('n', cast(id as string)) as name,\n"
            f"  cast(id * {group + 1} as bigint) as v\nfrom range({ROOT_ROWS})\n"
        )
    if slot <= 4:  # chain m1 <- m0, m2 <- m1, ...
        return f"select id, k, name, v + {slot} as v from {ref(slot - 1)}\n"
    if slot <= 8:  # fan-out: four children of the chain's end
        return f"select id, k, name, v * {slot} as v from {ref(4)} where k <> {slot - 5}\n"
    return (  # fan-in: join two of the fan-out children
        "select a.id, a.k, a.name, a.v + coalesce(b.v, 0) as v\n"
        f"from {ref(5)} a left join {ref(8)} b on a.id = b.id\n"
    )


def write_models_project(path: Path, n_models: int, file_format: str = "parquet") -> Path:
    """`n_models` table models in groups of 10 (chains and fan-outs); n must be a multiple of 10."""
    if n_models <= 0 or n_models % GROUP_SIZE:
        raise ValueError(f"the number of models must be a positive multiple of {GROUP_SIZE}")
    _fresh(path)
    (path / "dbt_project.yml").write_text(dbt_project_yml(file_format=file_format))
    for index in range(n_models):
        (path / "models" / f"m{index:04d}.sql").write_text(model_sql(index))
    return path


def seed_rows(n_rows: int, rng_seed: int = 7) -> list[tuple[str, str, str, str, str, str]]:
    """Clean values both adapters load: no quotes, `%`, booleans or NULLs (dbt-spark's session
    seed path formats bindings with Python `%` and quotes strings without escaping)."""
    rng = random.Random(rng_seed)
    start = dt.datetime(2024, 1, 1)
    rows = []
    for i in range(n_rows):
        created = start + dt.timedelta(seconds=rng.randrange(0, 365 * 86400))
        rows.append(
            (
                str(i + 1),
                f"customer_{rng.randrange(10**6):06d}",
                f"{rng.randrange(0, 10**6) / 100:.2f}",
                str(rng.randrange(1, 500)),
                (start.date() + dt.timedelta(days=rng.randrange(0, 365))).isoformat(),
                created.strftime("%Y-%m-%d %H:%M:%S"),
            )
        )
    return rows


def write_seed_csv(path: Path, n_rows: int) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(SEED_COLUMNS)
        writer.writerows(seed_rows(n_rows))
    return path


def write_seed_project(path: Path, n_rows: int) -> Path:
    """One seed of `n_rows` rows and 6 columns (bigint, string, double, bigint, date, timestamp)."""
    _fresh(path)
    (path / "dbt_project.yml").write_text(dbt_project_yml())
    write_seed_csv(path / "seeds" / f"{SEED_NAME}.csv", n_rows)
    return path


PYTHON_MODEL = """def model(dbt, session):
    dbt.config(materialized="table")
    return session.createDataFrame([(1, "a"), (2, "b")], "id int, name string")
"""
# The same table in SQL: same rows, same column names and types.
SQL_TWIN = "select * from values (1, 'a'), (2, 'b') as t(id, name)\n"
# A Python model whose DataFrame has the SQL twin's very plan: against the twin it measures what
# the Python path itself adds (dbt's Python materialization, `saveAsTable`, this adapter),
# without the cost of `createDataFrame` from Python rows.
SAME_PLAN_MODEL = f"""def model(dbt, session):
    dbt.config(materialized="table")
    return session.sql("{SQL_TWIN.strip()}")
"""
PYTHON_PAIRS = 3  # Python models and as many SQL twins, so one slow node weighs less


def python_pair_names(index: int) -> tuple[str, str]:
    suffix = f"_{index}" if index else ""
    return f"py_trivial{suffix}", f"sql_trivial{suffix}"


def same_plan_name(index: int) -> str:
    return f"py_plan_{index}" if index else "py_plan"


def write_python_project(path: Path) -> Path:
    """Trivial Python models (session mode: each runs in its model's own Spark session), their
    SQL twins, which build the same table, and Python models with the twins' plan."""
    _fresh(path)
    (path / "dbt_project.yml").write_text(dbt_project_yml())
    for index in range(PYTHON_PAIRS):
        python, sql = python_pair_names(index)
        (path / "models" / f"{python}.py").write_text(PYTHON_MODEL)
        (path / "models" / f"{sql}.sql").write_text(SQL_TWIN)
        (path / "models" / f"{same_plan_name(index)}.py").write_text(SAME_PLAN_MODEL)
    return path


def write_warmup_project(path: Path, file_format: str = "parquet") -> Path:
    """One group of models and a 3-row seed: warms the JVM, metastore and both code paths."""
    _fresh(path)
    (path / "dbt_project.yml").write_text(dbt_project_yml(file_format=file_format))
    for index in range(GROUP_SIZE):
        (path / "models" / f"m{index:04d}.sql").write_text(model_sql(index))
    write_seed_csv(path / "seeds" / "warm_seed.csv", 3)
    return path
