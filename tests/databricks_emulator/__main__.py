"""`python -m tests.databricks_emulator --port N --journal FILE`: serve Spark-less until killed."""

from __future__ import annotations

import argparse
import threading

from tests.databricks_emulator.server import DatabricksEmulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Offline Databricks REST emulator")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--journal", help="append each request to this file as a JSON line")
    parser.add_argument("--token", help="the bearer token to accept (default: random)")
    parser.add_argument("--startup-seconds", type=float, default=0.0)
    args = parser.parse_args(argv)
    emulator = DatabricksEmulator(
        spark_less=True,
        port=args.port,
        journal_path=args.journal,
        startup_seconds=args.startup_seconds,
    )
    if args.token:
        emulator.token = args.token
    with emulator:
        print(f"url={emulator.url} token={emulator.token}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
