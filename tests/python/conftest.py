"""Shared fixtures: build a DuckDB warehouse once per session and assert many things on it.

A dbt invocation costs several seconds before any SQL runs, so scenario tests put all their
stories into ONE raw dataset (distinct account ids), build once, then query the marts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest

from setup_journeys import DEMO_AS_OF, PROJECT_DIR
from setup_journeys.dbt_runner import run_dbt
from setup_journeys.raw_schema import RAW_TABLES, create_raw_schema

Rows = Sequence[Mapping[str, Any]]

# The marts the engine-parity tests (PostgreSQL, Spark) compare row for row: the one list both read.
# Every mart but the time spine, the impact marts too (their rates and intervals agree to 1e-9).
PARITY_MARTS = (
    "account_integration_state",
    "account_setup_state",
    "account_setup_state_history",
    "setup_events_quarantine",
    "friction_segments",
    "friction_segment_summary",
    "friction_segment_daily_entries",
    "setup_funnel",
    "time_to_connect",
    "time_to_connect_summary",
    "time_to_connect_survival",
    "time_to_connect_percentiles",
    "export_journey_due",
    "journey_suppressions",
    "journey_message_outcomes",
    "integration_status_confusion",
    "journey_lift",
)


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """These environment variables set for the block, each put back as it was after it."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in values.items():
            patch.setenv(key, value)
        yield


@dataclass
class Warehouse:
    """A DuckDB file with a raw schema, built by dbt from the project."""

    path: Path
    target_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.target_path = self.path.parent / f"{self.path.stem}_target"

    def load_raw(self, tables: Mapping[str, Rows], replace: bool = True) -> None:
        """Write rows into raw.<table>; columns not given are null. replace=False appends."""
        with duckdb.connect(str(self.path)) as con:
            create_raw_schema(con, replace=replace)
            for table, rows in tables.items():
                columns = list(RAW_TABLES[table])
                for row in rows:
                    unknown = set(row) - set(columns)
                    assert not unknown, f"raw.{table} has no column(s) {unknown}"
                    con.execute(
                        f"insert into raw.{table} ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
                        [row.get(column) for column in columns],
                    )

    def dbt(self, *args: str, as_of: str | None = None, extra_vars: dict[str, Any] | None = None,
            raise_on_failure: bool = True):
        """Run a dbt command against this warehouse (its own target dir: no clash with other builds)."""
        with environment({"DUCKDB_PATH": str(self.path)}):
            return run_dbt(
                [*args, "--target-path", str(self.target_path)],
                as_of=as_of,
                extra_vars=extra_vars,
                raise_on_failure=raise_on_failure,
            )

    def build(self, as_of: str, *, full_refresh: bool = False, select: str | None = None,
              extra_vars: dict[str, Any] | None = None, raise_on_failure: bool = True):
        args = ["build"]
        if full_refresh:
            args.append("--full-refresh")
        if select:
            args += ["--select", select]
        return self.dbt(*args, as_of=as_of, extra_vars=extra_vars, raise_on_failure=raise_on_failure)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            yield con
        finally:
            con.close()

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Rows as dicts, so assertions read like the expected rows."""
        with self.connect() as con:
            cursor = con.execute(sql, params or [])
            names = [description[0] for description in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        with self.connect() as con:
            return con.execute(sql, params or []).fetchone()[0]


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The demo dataset built once at DEMO_AS_OF (models, seeds, data tests and unit tests)."""
    from setup_journeys.demo import write_demo

    warehouse = Warehouse(tmp_path_factory.mktemp("demo") / "demo.duckdb")
    write_demo(warehouse.path)
    warehouse.build(DEMO_AS_OF)
    return warehouse


@pytest.fixture(scope="session")
def new_warehouse(tmp_path_factory: pytest.TempPathFactory):
    """Factory: an empty warehouse with the raw schema, in its own temporary folder."""

    def make(name: str) -> Warehouse:
        warehouse = Warehouse(tmp_path_factory.mktemp(name) / f"{name}.duckdb")
        with duckdb.connect(str(warehouse.path)) as con:
            create_raw_schema(con, replace=True)
        return warehouse

    return make


__all__ = ["DEMO_AS_OF", "PARITY_MARTS", "PROJECT_DIR", "Warehouse", "environment"]
