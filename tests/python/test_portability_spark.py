"""Scale-out: the same project on Apache Spark gives the same marts as DuckDB, full and incremental.

Spark runs in this process (dbt-spark session mode, pyspark, Java 17), with its warehouse in a
temporary folder. The demo raw data is loaded in two deliveries: everything received by
`FIRST_AS_OF` (built from scratch as of then), then the rest, with late events (occurred before
the first run, received after it) and re-deliveries (built incrementally as of DEMO_AS_OF). After
each build every mart must equal the DuckDB build of the same data:

- the first build equals a DuckDB full build of the first delivery at FIRST_AS_OF;
- the incremental build equals the DuckDB FULL build of the whole demo (the `demo_warehouse`
  fixture): Spark's incremental path (insert_overwrite of only the partitions a run touches)
  equals a full refresh, on the other engine too.

Keys, counts, texts, timestamps and booleans must be equal; only doubles get a tolerance, each
with its reason in FLOAT_TOLERANCES. Marked `spark` (CI runs it: `make test` runs every mark).
It never skips: when pyspark or Java cannot start, the fixture raises and the tests fail.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from conftest import DEMO_AS_OF, PARITY_MARTS, Warehouse, environment
from setup_journeys.dbt_runner import run_dbt

pytestmark = pytest.mark.spark

FIRST_AS_OF = "2026-03-09 12:00:00"
MARTS = PARITY_MARTS  # compared row for row (every column both engines have)
# Doubles only. Relative tolerance 1e-9: DuckDB and Spark add and interpolate in a different order
# (parallel partial sums, percentile interpolation), which moves the last bits of a double; every
# rounded column uses the same rounding rule on both (round_to), so no tolerance hides a rounding
# difference. Integers, decimals, texts, timestamps and booleans are compared exactly.
FLOAT_REL_TOLERANCE = 1e-9
FLOAT_ABS_TOLERANCE = 1e-9
NIGHTLY_BUILD = ["build", "--exclude-resource-type", "unit_test"]


def _normalise(value):
    if isinstance(value, Decimal):
        # Spark hands back DECIMAL where an expression is decimal-typed on Spark but double on
        # DuckDB; compared as a float (with the float tolerance), never silently as text.
        value = float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def _same(left, right) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        if left is None or right is None or isinstance(left, (bool, str)) or isinstance(right, (bool, str)):
            return left == right
        return math.isclose(left, right, rel_tol=FLOAT_REL_TOLERANCE, abs_tol=FLOAT_ABS_TOLERANCE)
    return left == right


def _spark_rows(table: str) -> list[dict]:
    from setup_journeys.spark_raw import read_table

    data = read_table("analytics", table)
    assert data is not None, f"analytics.{table} was not built on Spark"
    return data.to_pylist()


def assert_same_rows(mart: str, spark_rows: list[dict], duck_rows: list[dict]) -> None:
    assert duck_rows, f"{mart} is empty on DuckDB: nothing would be compared"
    duck_columns = set(duck_rows[0])
    assert spark_rows, f"{mart} is empty on Spark but has {len(duck_rows)} rows on DuckDB"
    assert set(spark_rows[0]) == duck_columns, (
        f"{mart}: columns differ: only on Spark {set(spark_rows[0]) - duck_columns}, "
        f"only on DuckDB {duck_columns - set(spark_rows[0])}"
    )
    columns = sorted(duck_columns)
    floats = {column for rows in (duck_rows, spark_rows) for row in rows for column in columns
              if isinstance(_normalise(row[column]), float)}
    exact = [column for column in columns if column not in floats]

    def canonical(rows):
        normalised = [{column: _normalise(row[column]) for column in columns} for row in rows]
        return sorted(normalised, key=lambda row: repr([row[column] for column in exact]))

    spark_sorted, duck_sorted = canonical(spark_rows), canonical(duck_rows)
    assert len(spark_sorted) == len(duck_sorted), f"{mart}: {len(spark_sorted)} rows on Spark, {len(duck_sorted)} on DuckDB"
    for spark_row, duck_row in zip(spark_sorted, duck_sorted):
        differing = {column: (spark_row[column], duck_row[column]) for column in columns
                     if not _same(spark_row[column], duck_row[column])}
        assert not differing, f"{mart}: Spark vs DuckDB differ in {differing} (row {duck_row})"


def _split_demo() -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The demo raw tables with only the events received by FIRST_AS_OF, and the events received later."""
    from setup_journeys.demo import build_demo

    frames = build_demo().frames()
    events = frames["setup_events"]
    first = events["received_at"].isna() | (events["received_at"] <= pd.Timestamp(FIRST_AS_OF))
    return {**frames, "setup_events": events[first].reset_index(drop=True)}, events[~first].reset_index(drop=True)


def _partition_files(table_dir: Path) -> dict[str, set[str]]:
    """partition folder -> its data file names (a rewritten partition gets new file names)."""
    return {partition.name: {file.name for file in partition.glob("*.parquet")}
            for partition in sorted(table_dir.glob("*=*"))}


@pytest.fixture(scope="module")
def spark_warehouse(tmp_path_factory) -> Iterator[Path]:
    """A fresh Spark warehouse for this module; Spark must start (no skip)."""
    folder = tmp_path_factory.mktemp("spark") / "warehouse"
    from setup_journeys.spark_raw import spark_session

    with environment({"SPARK_WAREHOUSE_DIR": str(folder)}):
        session = spark_session()  # raises SparkUnavailable with the reason: the tests fail
        assert Path(session.conf.get("spark.sql.warehouse.dir").removeprefix("file:")) == folder, (
            "a Spark session with another warehouse was already running in this process"
        )
        assert session.conf.get("spark.sql.session.timeZone") == "UTC"
        yield folder


@pytest.fixture(scope="module")
def first_delivery_duckdb(tmp_path_factory) -> Warehouse:
    """DuckDB: a full build of the first delivery as of FIRST_AS_OF (the reference for Spark's first build)."""
    first, _ = _split_demo()
    warehouse = Warehouse(tmp_path_factory.mktemp("spark_ref") / "first.duckdb")
    warehouse.load_raw({table: frame.to_dict("records") for table, frame in first.items()})
    warehouse.dbt(*NIGHTLY_BUILD, as_of=FIRST_AS_OF)
    return warehouse


@pytest.fixture(scope="module")
def spark_builds(spark_warehouse: Path, tmp_path_factory) -> dict:
    """Spark: full build of the first delivery, marts read; then the rest appended and an incremental build."""
    from setup_journeys.spark_raw import load_raw_frames

    first, later = _split_demo()
    target_path = tmp_path_factory.mktemp("spark_target")
    timings = {}

    load_raw_frames(first, replace=True)
    started = time.perf_counter()
    run_dbt([*NIGHTLY_BUILD, "--target-path", str(target_path)], target="spark", as_of=FIRST_AS_OF)
    timings["full"] = time.perf_counter() - started
    first_marts = {mart: _spark_rows(mart) for mart in MARTS}
    staged_dir = spark_warehouse / "analytics_staging.db" / "stg_raw__setup_events"
    files_after_first = _partition_files(staged_dir)

    load_raw_frames({"setup_events": later}, replace=False)
    started = time.perf_counter()
    # Models only: the first build ran every data test on Spark, and the parity tests below compare
    # every mart row for row, which is stricter than the data tests (and saves minutes in CI).
    run_dbt(["run", "--target-path", str(target_path)], target="spark", as_of=DEMO_AS_OF)
    timings["incremental"] = time.perf_counter() - started
    print(f"\nSpark demo builds: full {timings['full']:.0f} s, incremental {timings['incremental']:.0f} s")
    return {
        "first_marts": first_marts,
        "files_after_first": files_after_first,
        "files_after_incremental": _partition_files(staged_dir),
        "later_events": later,
        "target_path": target_path,
        "timings": timings,
    }


@pytest.mark.parametrize("mart", MARTS)
def test_spark_full_build_equals_duckdb(spark_builds: dict, first_delivery_duckdb: Warehouse, mart: str) -> None:
    assert_same_rows(mart, spark_builds["first_marts"][mart], first_delivery_duckdb.query(f"select * from main.{mart}"))


@pytest.mark.parametrize("mart", MARTS)
def test_spark_incremental_build_equals_duckdb_full_build(spark_builds: dict, demo_warehouse: Warehouse,
                                                           mart: str) -> None:
    assert_same_rows(mart, _spark_rows(mart), demo_warehouse.query(f"select * from main.{mart}"))


def test_the_incremental_run_staged_the_late_events(spark_builds: dict, demo_warehouse: Warehouse) -> None:
    """The second delivery has events that happened before the first run but arrived after it; the
    incremental run staged the same ones as DuckDB's full build (some are quarantined or duplicates)."""
    from setup_journeys.spark_raw import spark_session

    later = spark_builds["later_events"]
    late_ids = sorted(set(later.loc[later["occurred_at"] <= pd.Timestamp(FIRST_AS_OF), "event_id"].dropna()))
    assert len(late_ids) >= 3, "the demo's second delivery should hold late events"
    id_list = ", ".join(f"'{event_id}'" for event_id in late_ids)
    sql = f"select event_id from {{schema}}.stg_raw__setup_events where event_id in ({id_list})"
    on_spark = {row[0] for row in spark_session().sql(sql.format(schema="analytics_staging")).collect()}
    on_duckdb = {row["event_id"] for row in demo_warehouse.query(sql.format(schema="main_staging"))}
    assert on_duckdb and on_spark == on_duckdb


def test_the_incremental_run_rewrote_only_the_partitions_of_its_window(spark_builds: dict) -> None:
    """insert_overwrite with dynamic partition overwrite: partitions (received dates) before the
    lookback window keep their files; the days in the window are rewritten."""
    before, after = spark_builds["files_after_first"], spark_builds["files_after_incremental"]
    assert len(before) > 30, f"stg_raw__setup_events should be partitioned by received_on, found {list(before)[:5]}"
    window_start = (pd.Timestamp(FIRST_AS_OF) - pd.Timedelta(hours=72)).normalize()
    untouched = [name for name in before if pd.Timestamp(name.split("=", 1)[1]) < window_start]
    rewritten = [name for name in after if pd.Timestamp(name.split("=", 1)[1]) >= window_start]
    assert untouched and rewritten
    assert all(before[name] == after[name] for name in untouched), "a partition before the window was rewritten"
    assert all(before.get(name) != after[name] for name in rewritten), "a partition in the window was not rewritten"


def test_spark_unit_tests_with_sql_fixtures_pass(spark_builds: dict) -> None:
    """The unit tests whose fixtures are SQL (typed nulls written portably: nullif('', ''), not
    cast(null as varchar)) run and pass on Spark. The other unit tests use dict fixtures, which dbt
    types from the warehouse's own columns; each unit test costs about half a minute on Spark in
    session mode, so CI runs these two models' tests, not all 27."""
    result = run_dbt(
        ["test", "--select", "test_type:unit,stg_raw__setup_events test_type:unit,int_setups_aggregated",
         "--target-path", str(spark_builds["target_path"])],
        target="spark", as_of=DEMO_AS_OF,
    )
    # The results also hold the on-run-start hooks (status "success"): judge the unit tests only.
    unit_results = [node_result for node_result in result.result.results
                    if node_result.node.resource_type == "unit_test"]
    names = {node_result.node.name for node_result in unit_results}
    assert {"test_setups_aggregated_out_of_order_visibility_ties_restarts",
            "test_stg_setup_events_normalises_and_keeps_earliest_arrival"} <= names
    failed = {node_result.node.name: str(node_result.status) for node_result in unit_results
              if str(node_result.status) != "pass"}
    assert not failed, f"unit tests not passing on Spark: {failed}"


def test_nightly_checks_and_publishes_from_spark(spark_builds: dict, demo_warehouse: Warehouse, tmp_path) -> None:
    """The nightly job reads the Spark marts through SparkReader, checks them and publishes the DuckDB export."""
    import pyarrow.parquet as pq
    from rich.console import Console

    from setup_journeys.nightly import SparkReader, reader_for_target, run_nightly

    assert isinstance(reader_for_target("spark"), SparkReader)
    result = run_nightly(
        as_of=DEMO_AS_OF,
        target="spark",
        publish_dir=tmp_path / "publish",
        build=False,
        target_path=spark_builds["target_path"],
        console=Console(file=open(os.devnull, "w")),
    )
    assert result.checks.success
    published = pq.read_table(result.publish.current_dir / "export.parquet")
    duck = demo_warehouse.query("select sync_key, due_at from main.export_journey_due")
    assert sorted(published.column("sync_key").to_pylist()) == sorted(row["sync_key"] for row in duck)
    assert sorted(published.column("due_at").to_pylist()) == sorted(row["due_at"] for row in duck)
