"""Run dbt in-process through dbtRunner, from the project root, with the project's profiles.yml."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner, dbtRunnerResult

from setup_journeys import PROJECT_DIR
from setup_journeys.settings import AS_OF_ENV


class DbtError(RuntimeError):
    """A dbt invocation failed; the message carries dbt's own errors."""


def duckdb_path() -> Path:
    """The DuckDB file the default target uses (same default as profiles.yml)."""
    raw = os.environ.get("DUCKDB_PATH", "warehouse/setup_journeys.duckdb")
    path = Path(raw)
    return path if path.is_absolute() else PROJECT_DIR / path


def target_path() -> Path:
    """dbt's target folder for the commands (DBT_TARGET_PATH, as dbt reads it; default PROJECT_DIR/target)."""
    return Path(os.environ.get("DBT_TARGET_PATH") or PROJECT_DIR / "target")


def target_name(target: str | None = None) -> str:
    """The dbt target a command runs on: `--target`, else DBT_TARGET, else profiles.yml's default (duckdb)."""
    return target or os.environ.get("DBT_TARGET", "duckdb")


def is_spark(target: str | None = None) -> bool:
    """The command runs on Spark in this process (the `spark` target)."""
    return target_name(target) == "spark"


def vars_without_as_of(extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The vars that go to dbt as `--vars`: all but as_of, which goes through AS_OF_ENV."""
    return {name: value for name, value in (extra or {}).items() if name != "as_of"}


def vars_arg(extra: dict[str, Any] | None = None) -> list[str]:
    """`--vars` for dbt, without as_of: that goes through AS_OF_ENV (see `as_of_environment`)."""
    values = vars_without_as_of(extra)
    # YAML in --vars may hold dates and timestamps: dbt reads their text the same way.
    return ["--vars", json.dumps(values, default=str)] if values else []


@contextmanager
def as_of_environment(as_of: str | None) -> Iterator[None]:
    """Pin as_of for dbt in AS_OF_ENV for the duration of one invocation, then restore it.

    dbt drops its partial parsing whenever --vars change, and a nightly run's as_of changes every
    night: a full parse of the project costs about 10 s. The macro `as_of_datetime` reads this
    variable only while dbt executes (never while it parses), so the saved parse in target/ stays
    valid. None clears it: the run's as_of is then the var's default (now).
    """
    previous = os.environ.get(AS_OF_ENV)
    if as_of is None:
        os.environ.pop(AS_OF_ENV, None)
    else:
        os.environ[AS_OF_ENV] = as_of
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(AS_OF_ENV, None)
        else:
            os.environ[AS_OF_ENV] = previous


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
    """Invoke dbt with the project and profiles directories set; raise DbtError on failure.

    as_of (else extra_vars' as_of) reaches dbt through AS_OF_ENV, the other extra_vars as --vars."""
    cli_args = [
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        *vars_arg(extra_vars),
    ]
    if target:
        cli_args += ["--target", target]
    duckdb_path().parent.mkdir(parents=True, exist_ok=True)
    if is_spark(target):
        from setup_journeys.spark_raw import pin_spark_warehouse_dir

        # Relative to the project, whatever the working directory, so the loader and dbt agree.
        pin_spark_warehouse_dir().mkdir(parents=True, exist_ok=True)
    try:
        passed_as_of = as_of if as_of is not None else (extra_vars or {}).get("as_of")
        with as_of_environment(None if passed_as_of is None else str(passed_as_of)):
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
