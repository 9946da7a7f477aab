"""Installing the wheel on a Databricks LTS runtime: what would pip change there?

For each runtime in `runtimes/` (its preinstalled Python libraries, from the release notes), pip
resolves the built wheel on top of those libraries (see install_plan.py) and the test compares
the Spark libraries it would install or replace with the support matrix in docs/installing.md:
the docs cannot claim a runtime is untouched when it is not, nor name a replacement that is
gone. pyspark and py4j must never be in the plan, whatever the docs say.

Needs PyPI (or PIP_INDEX_URL) and the runtime's Python version (on PATH or in pyenv); it skips,
saying which, without them. It runs in the parquet leg (no `delta` marker).
"""

from __future__ import annotations

import re
import sys
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.runtime_compat.install_plan import (
    REPO,
    SPARK_LIBRARIES,
    InstallPlan,
    Runtime,
    build_wheel,
    find_python,
    index_reachable,
    install_plan,
    load_runtime,
    make_runtime_env,
    matrix_row,
    runtimes,
)

RUNTIMES = runtimes()
DOCS = REPO / "docs" / "installing.md"
NEVER_INSTALLED = ("pyspark", "py4j")


def documented_matrix() -> dict[str, set[str]]:
    """docs/installing.md's support matrix: runtime label -> the Spark libraries it names."""
    rows: dict[str, set[str]] = {}
    for line in DOCS.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 6 and re.fullmatch(r"\d+\.\d+ LTS", cells[0]):
            changes = re.findall(r"([a-z0-9-]+) (?:not installed|\S+) ->", cells[3])
            rows[cells[0]] = set(changes)
    return rows


@pytest.mark.parametrize("runtime", RUNTIMES, ids=[r.name for r in RUNTIMES])
def test_runtime_file_names_spark_and_its_libraries(runtime: Runtime) -> None:
    text = runtime.path.read_text()
    assert "https://docs.databricks.com/" in text and "github.com/databricks/environments" in text
    assert re.fullmatch(r"3\.\d+", runtime.python)
    assert runtime.libraries["pyspark"] == runtime.spark
    for name in ("pandas", "pyarrow", "numpy", "protobuf", "grpcio", "grpcio-status"):
        assert name in runtime.libraries, f"{runtime.name} does not list {name}"
    # The whole list, not a hand-picked part: the release notes list 100+ libraries.
    assert len(runtime.libraries) > 100


def test_docs_matrix_has_one_row_per_runtime_file() -> None:
    assert sorted(documented_matrix()) == sorted(r.label for r in RUNTIMES)


def _wheel(directory: Path, name: str, version: str, requires: list[str]) -> None:
    dist_info = f"{name}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {requirement}\n" for requirement in requires
    )
    wheel = "Wheel-Version: 1.0\nGenerator: runtime-compat-test\nRoot-Is-Purelib: true\n"
    with zipfile.ZipFile(directory / f"{name}-{version}-py3-none-any.whl", "w") as archive:
        archive.writestr(f"{dist_info}/METADATA", metadata)
        archive.writestr(f"{dist_info}/WHEEL", wheel + "Tag: py3-none-any\n")
        archive.writestr(f"{dist_info}/RECORD", "")


def test_a_package_that_needs_another_pyspark_is_caught(tmp_path: Path) -> None:
    """The check itself, offline: a requirement on pyspark 4.x replaces 16.4's pyspark 3.5.2."""
    runtime = load_runtime(Path(__file__).parent / "runtimes" / "dbr-16.4-lts.txt")
    index = tmp_path / "index"
    index.mkdir()
    _wheel(index, "probe", "1.0", ["pyspark>=4.1", "pandas>=1.2"])
    _wheel(index, "pyspark", "4.2.0", ["py4j==0.10.9.9"])
    _wheel(index, "py4j", "0.10.9.9", [])
    _wheel(index, "pandas", "2.3.3", [])
    env = make_runtime_env(runtime, sys.executable, tmp_path / "env")

    plan = install_plan(runtime, env, ["probe"], "--no-index", "--find-links", str(index))

    assert plan.replaced == {"pyspark": ("3.5.2", "4.2.0")}  # pandas 1.5.3 is kept
    assert plan.spark_libraries_touched == {
        "py4j": "not installed -> 0.10.9.9",
        "pyspark": "3.5.2 -> 4.2.0",
    }
    assert matrix_row(plan) == (
        "| 16.4 LTS | 3.12 | 3.5.2 | py4j not installed -> 0.10.9.9, pyspark 3.5.2 -> 4.2.0 "
        "| none | replaces py4j, pyspark; untested on a cluster |"
    )


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, InstallPlan | str]]:
    """Each runtime's install plan of the built wheel, resolved concurrently (or why not)."""
    if not index_reachable():
        pytest.skip("the package index is not reachable: the install plans need PyPI")
    scratch = tmp_path_factory.mktemp("runtime-compat")
    wheel = build_wheel(scratch / "dist")

    def resolve(runtime: Runtime) -> InstallPlan | str:
        python = find_python(runtime.python)
        if python is None:
            return f"no Python {runtime.python} interpreter here (the runtime's Python)"
        env = make_runtime_env(runtime, python, scratch / runtime.name)
        return install_plan(runtime, env, [str(wheel)])

    with ThreadPoolExecutor(max_workers=len(RUNTIMES)) as pool:
        yield dict(zip((r.name for r in RUNTIMES), pool.map(resolve, RUNTIMES)))


@pytest.mark.parametrize("runtime", RUNTIMES, ids=[r.name for r in RUNTIMES])
def test_install_plan_on_runtime_matches_the_support_matrix(
    runtime: Runtime, plans: dict[str, InstallPlan | str]
) -> None:
    plan = plans[runtime.name]
    if isinstance(plan, str):
        pytest.skip(plan)
    assert "dbt-databricks-session" in plan.installs  # the wheel itself was resolved
    row = matrix_row(plan)
    print(row)
    for name in NEVER_INSTALLED:
        assert name not in plan.installs, f"pip would install {name} on {runtime.label}: {row}"
    touched = set(plan.spark_libraries_touched)
    assert touched <= SPARK_LIBRARIES
    documented = documented_matrix()[runtime.label]
    assert touched == documented, (
        f"on {runtime.label} pip would install or replace {sorted(touched) or 'none'} of "
        f"Spark's libraries; docs/installing.md says {sorted(documented) or 'none'}. "
        f"Fresh row: {row}"
    )
