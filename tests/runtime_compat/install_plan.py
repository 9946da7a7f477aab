"""What `pip install` of this package would change on a Databricks runtime.

A runtime is a data file in `runtimes/` (one `name==version` a line, the runtime's preinstalled
Python libraries, with `# python:` and `# spark:` header lines). To ask pip about it without
downloading a single one of those libraries, a throwaway virtual environment of the runtime's
Python version gets one `<name>-<version>.dist-info` directory per library, holding only the
METADATA pip reads (name and version): pip then takes each of them as installed. `pip install
--dry-run --report` on top of that environment resolves exactly as on the runtime and reports
what it would install; a listed library in that report is one pip would replace.

The fake distributions declare no dependencies of their own, so this shows what the package's own
requirements change, not the conflicts pip may then find among the runtime's other libraries.

`python -m tests.runtime_compat.install_plan` prints the support matrix rows of
docs/installing.md from a fresh resolution.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

RUNTIMES_DIR = Path(__file__).parent / "runtimes"
REPO = Path(__file__).resolve().parents[2]

# pyspark and what the runtime's Spark needs in Python: py4j (classic sessions), pandas, pyarrow
# and numpy (Arrow transfers, pandas UDFs, toPandas), grpcio, grpcio-status, protobuf and
# googleapis-common-protos (Spark Connect sessions: serverless, standard access mode). Installing
# the package on a runtime must not install or replace any of them.
SPARK_LIBRARIES = frozenset(
    {
        "pyspark",
        "py4j",
        "pandas",
        "pyarrow",
        "numpy",
        "grpcio",
        "grpcio-status",
        "protobuf",
        "googleapis-common-protos",
    }
)

PIP_TIMEOUT_S = 300


def normalize(name: str) -> str:
    """PEP 503 name: `PyYAML` and `pyyaml`, `typing_extensions` and `typing-extensions` agree."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Runtime:
    name: str  # the data file's stem, e.g. "dbr-16.4-lts"
    python: str  # "3.12"
    spark: str  # "3.5.2"
    libraries: dict[str, str]  # normalized name -> version
    path: Path

    @property
    def label(self) -> str:
        """'dbr-16.4-lts' -> '16.4 LTS'."""
        return self.name.removeprefix("dbr-").replace("-lts", " LTS")


def load_runtime(path: Path) -> Runtime:
    headers: dict[str, str] = {}
    libraries: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        header = re.fullmatch(r"#\s*([a-z0-9-]+):\s*(\S+)", line)
        if header:
            headers[header.group(1)] = header.group(2)
            continue
        requirement = line.split("#", 1)[0].strip()
        if not requirement:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", requirement)
        if not match:
            raise ValueError(f"{path.name}:{number}: not `name==version`: {raw!r}")
        name = normalize(match.group(1))
        if name in libraries:
            raise ValueError(f"{path.name}:{number}: {name} listed twice")
        libraries[name] = match.group(2)
    for key in ("python", "spark"):
        if key not in headers:
            raise ValueError(f"{path.name}: no `# {key}: ...` header line")
    return Runtime(path.stem, headers["python"], headers["spark"], libraries, path)


def runtimes() -> list[Runtime]:
    return [load_runtime(path) for path in sorted(RUNTIMES_DIR.glob("dbr-*.txt"))]


def find_python(version: str) -> str | None:
    """A working interpreter of `version` ("3.12"): this one, on PATH, or in pyenv's versions."""
    candidates: list[str | None] = []
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        candidates.append(sys.executable)
    candidates.append(shutil.which(f"python{version}"))
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"))
    for candidate in filter(None, candidates):
        # A pyenv shim of a version that is not activated exits 127 instead.
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def make_runtime_env(runtime: Runtime, python: str, directory: Path) -> str:
    """A venv of `python` in which pip sees every library of `runtime` as installed.

    Returns the environment's interpreter. No pip inside: the caller's pip drives it
    (`pip --python`).
    """
    subprocess.run(
        [python, "-m", "venv", "--without-pip", str(directory)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    env_python = directory / "bin" / "python"
    purelib = subprocess.run(
        [str(env_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    for name, version in runtime.libraries.items():
        dist_info = Path(purelib) / f"{name.replace('-', '_')}-{version}.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        )
        (dist_info / "INSTALLER").write_text("runtime-compat-test\n")
        (dist_info / "RECORD").write_text("")
    return str(env_python)


@dataclass(frozen=True)
class InstallPlan:
    runtime: Runtime
    installs: dict[str, str]  # normalized name -> the version pip would install

    @property
    def replaced(self) -> dict[str, tuple[str, str]]:
        """Preinstalled libraries pip would replace: name -> (runtime's version, new version)."""
        return {
            name: (self.runtime.libraries[name], version)
            for name, version in sorted(self.installs.items())
            if name in self.runtime.libraries
        }

    @property
    def spark_libraries_touched(self) -> dict[str, str]:
        """Spark's libraries pip would install or replace: name -> 'old -> new' or '(new) new'."""
        touched = {}
        for name in sorted(SPARK_LIBRARIES & self.installs.keys()):
            old = self.runtime.libraries.get(name, "not installed")
            touched[name] = f"{old} -> {self.installs[name]}"
        return touched


def install_plan(
    runtime: Runtime, env_python: str, requirements: list[str], *pip_args: str
) -> InstallPlan:
    """What `pip install <requirements>` would install in `env_python`'s environment."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        command = [
            sys.executable,
            "-m",
            "pip",
            "--python",
            env_python,
            "install",
            "--dry-run",
            "--quiet",
            "--no-input",
            "--disable-pip-version-check",
            "--progress-bar",
            "off",
            "--report",
            str(report),
            *pip_args,
            *requirements,
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT_S)
        if result.returncode != 0:
            raise RuntimeError(
                f"pip could not resolve {requirements} on {runtime.label} "
                f"(exit {result.returncode}):\n{result.stderr[-4000:]}"
            )
        data = json.loads(report.read_text())
    installs = {
        normalize(item["metadata"]["name"]): item["metadata"]["version"] for item in data["install"]
    }
    return InstallPlan(runtime, installs)


def index_reachable(timeout_s: float = 10.0) -> bool:
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
    try:
        with urllib.request.urlopen(f"{index}/pip/", timeout=timeout_s):
            return True
    except OSError:
        return False


def build_wheel(directory: Path) -> Path:
    """This checkout built as users install it: the wheel, without its dependencies."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--disable-pip-version-check",
            "-w",
            str(directory),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=PIP_TIMEOUT_S,
    )
    (wheel,) = directory.glob("dbt_databricks_session-*.whl")
    return wheel


def matrix_row(plan: InstallPlan) -> str:
    """One row of docs/installing.md's support matrix."""
    runtime = plan.runtime
    spark = ", ".join(f"{name} {change}" for name, change in plan.spark_libraries_touched.items())
    others = ", ".join(
        f"{name} {old} -> {new}"
        for name, (old, new) in plan.replaced.items()
        if name not in SPARK_LIBRARIES
    )
    # Replacing a library the runtime's Spark uses is not known to break it, nor known not to:
    # say which, rather than "unsupported" or "supported".
    touched = sorted(plan.spark_libraries_touched)
    status = f"replaces {', '.join(touched)}; untested on a cluster" if touched else "supported"
    return (
        f"| {runtime.label} | {runtime.python} | {runtime.spark} | {spark or 'none'} "
        f"| {others or 'none'} | {status} |"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        wheel = build_wheel(Path(scratch) / "dist")
        for runtime in runtimes():
            python = find_python(runtime.python)
            if python is None:
                print(f"{runtime.label}: no Python {runtime.python} here", file=sys.stderr)
                continue
            env = make_runtime_env(runtime, python, Path(scratch) / runtime.name)
            print(matrix_row(install_plan(runtime, env, [str(wheel)])))


if __name__ == "__main__":
    main()
