"""Run dbt in-process through dbtRunner, from the project root, with the project's profiles.yml."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner, dbtRunnerResult

from setup_journeys import PROJECT_DIR


class DbtError(RuntimeError):
    """A dbt invocation failed; the message carries dbt's own errors."""


def duckdb_path() -> Path:
    """The DuckDB file the default target uses (same default as profiles.yml)."""
    raw = os.environ.get("DUCKDB_PATH", "warehouse/setup_journeys.duckdb")
    path = Path(raw)
    return path if path.is_absolute() else PROJECT_DIR / path


def vars_arg(as_of: str | None = None, extra: dict[str, Any] | None = None) -> list[str]:
    values: dict[str, Any] = dict(extra or {})
    if as_of is not None:
        values["as_of"] = as_of
    # YAML in --vars may hold dates and timestamps: dbt reads their text the same way.
    return ["--vars", json.dumps(values, default=str)] if values else []


def close_duckdb_file() -> None:
    """Close the DuckDB file dbt-duckdb kept open for the invocation (profiles.yml: keep_open).

    dbt-duckdb holds one connection for the whole run, so every model and test reuses the open
    file and its buffer cache, but it keeps that connection in a class attribute after dbtRunner
    returns. In this process the nightly job then reads the marts and another dbt invocation may
    open the file with other settings, which DuckDB refuses while the first connection lives.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # dbt-duckdb not installed: other targets only
        return
    environment = getattr(DuckDBConnectionManager, "_ENV", None)
    if environment is not None:
        environment.close()
        DuckDBConnectionManager._ENV = None


def run_dbt(
    args: Sequence[str],
    *,
    target: str | None = None,
    as_of: str | None = None,
    extra_vars: dict[str, Any] | None = None,
    raise_on_failure: bool = True,
) -> dbtRunnerResult:
    """Invoke dbt with the project and profiles directories set; raise DbtError on failure."""
    cli_args = [
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        *vars_arg(as_of, extra_vars),
    ]
    if target:
        cli_args += ["--target", target]
    duckdb_path().parent.mkdir(parents=True, exist_ok=True)
    if (target or os.environ.get("DBT_TARGET")) == "spark":
        from setup_journeys.spark_raw import pin_spark_warehouse_dir

        # Relative to the project, whatever the working directory, so the loader and dbt agree.
        pin_spark_warehouse_dir().mkdir(parents=True, exist_ok=True)
    try:
        result = dbtRunner().invoke(cli_args)
    finally:
        close_duckdb_file()
    if raise_on_failure and not result.success:
        failures = []
        if result.result is not None and hasattr(result.result, "results"):
            for node_result in result.result.results:
                if str(node_result.status) in {"error", "fail"}:
                    failures.append(f"{node_result.node.name}: {node_result.message}")
        detail = "; ".join(failures) or str(result.exception or "see dbt's log above")
        raise DbtError(f"dbt {' '.join(args)} failed: {detail}")
    return result
