"""The raw schema on Apache Spark: the `spark` target's session, and loading raw tables into it.

The `spark` target (profiles.yml) runs Spark inside this process (dbt-spark session mode). Its
settings are read from profiles.yml here, rendered with the same environment variables, so the
loader and dbt share ONE session: same warehouse directory, metastore, time zone (UTC).

Raw rows are written by DuckDB to Parquet (microsecond timestamps without a zone), then read by
Spark and inserted into plain parquet tables in the Spark database `raw`, with the column types
of SPEC 2. The demo and the synthetic generator write a DuckDB file first (their one code path),
then `load_raw_from_duckdb` copies it; tests load rows with `load_raw_frames`.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import yaml

from setup_journeys import PROJECT_DIR
from setup_journeys.raw_schema import RAW_TABLES

SPARK_TYPES = {"VARCHAR": "string", "TIMESTAMP": "timestamp", "BOOLEAN": "boolean", "INTEGER": "int"}
RAW_DATABASE = "raw"
_ENV_VAR = re.compile(r"\{\{\s*env_var\('([^']+)'(?:\s*,\s*'([^']*)')?\)\s*\}\}")


class SparkUnavailable(RuntimeError):
    """Spark (pyspark with a Java runtime) could not start."""


def spark_warehouse_dir() -> Path:
    """SPARK_WAREHOUSE_DIR (default warehouse/spark), absolute so every process finds the same tables."""
    path = Path(os.environ.get("SPARK_WAREHOUSE_DIR", "warehouse/spark"))
    return path if path.is_absolute() else PROJECT_DIR / path


def pin_spark_warehouse_dir() -> Path:
    """Make SPARK_WAREHOUSE_DIR absolute in the environment before dbt renders profiles.yml."""
    path = spark_warehouse_dir()
    os.environ["SPARK_WAREHOUSE_DIR"] = str(path)
    return path


def session_settings() -> dict[str, str]:
    """The `spark` target's server_side_parameters, with env_var() rendered as dbt renders them."""
    pin_spark_warehouse_dir()
    profile = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    parameters = profile["setup_journeys"]["outputs"]["spark"]["server_side_parameters"]

    def render(value: Any) -> str:
        return _ENV_VAR.sub(lambda match: os.environ.get(match.group(1), match.group(2) or ""), str(value))

    settings = {str(key): render(value) for key, value in parameters.items()}
    # dbt-spark forces ANSI mode off in session mode; the loader's session is the same one.
    settings["spark.sql.ansi.enabled"] = "false"
    return settings


def spark_session():
    """The process's SparkSession with the `spark` target's settings (created on first use).

    Raises SparkUnavailable with the reason when pyspark or Java cannot start: callers (and the
    parity test) fail loudly instead of skipping.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:  # pragma: no cover - the spark extra is part of dev
        raise SparkUnavailable("pyspark is not installed: pip install -e '.[spark]'") from error
    warehouse = spark_warehouse_dir()
    warehouse.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in session_settings().items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # Java missing, port or memory trouble: say so
        raise SparkUnavailable(f"Spark could not start (is Java 17 installed and JAVA_HOME set?): {error}") from error
    session.sparkContext.setLogLevel("ERROR")
    return session


def _create_raw_tables(session, replace: bool) -> None:
    session.sql(f"create database if not exists {RAW_DATABASE}")
    for table, columns in RAW_TABLES.items():
        if replace:
            session.sql(f"drop table if exists {RAW_DATABASE}.{table}")
        column_sql = ", ".join(f"{name} {SPARK_TYPES[kind]}" for name, kind in columns.items())
        session.sql(f"create table if not exists {RAW_DATABASE}.{table} ({column_sql}) using parquet")


def _insert_parquet(session, table: str, parquet_path: Path) -> None:
    columns = RAW_TABLES[table]
    # Parquet timestamps without a zone arrive as TIMESTAMP_NTZ; the cast reads them in the
    # session's zone, UTC, so the instant is unchanged.
    select = ", ".join(f"cast({name} as {SPARK_TYPES[kind]}) as {name}" for name, kind in columns.items())
    session.read.parquet(str(parquet_path)).createOrReplaceTempView("_raw_load")
    session.sql(f"insert into {RAW_DATABASE}.{table} select {select} from _raw_load")
    session.catalog.dropTempView("_raw_load")


def _copy_from(con: duckdb.DuckDBPyConnection, source: Mapping[str, str], replace: bool) -> dict[str, int]:
    """source: table -> a DuckDB relation name holding its rows."""
    session = spark_session()
    _create_raw_tables(session, replace=replace)
    with tempfile.TemporaryDirectory(prefix="setup-journeys-raw-") as folder:
        for table, relation in source.items():
            columns = RAW_TABLES[table]
            select = ", ".join(f"cast({name} as {kind}) as {name}" for name, kind in columns.items())
            path = Path(folder) / f"{table}.parquet"
            con.execute(f"copy (select {select} from {relation}) to '{path}' (format parquet)")
            _insert_parquet(session, table, path)
    return {table: session.sql(f"select count(*) from {RAW_DATABASE}.{table}").collect()[0][0] for table in RAW_TABLES}


def load_raw_from_duckdb(duckdb_file: Path, replace: bool = True) -> dict[str, int]:
    """Copy the raw schema of a DuckDB file into Spark's `raw` database; returns rows per table."""
    con = duckdb.connect(str(duckdb_file), read_only=True)
    try:
        return _copy_from(con, {table: f"raw.{table}" for table in RAW_TABLES}, replace=replace)
    finally:
        con.close()


def load_raw_frames(frames: Mapping[str, Any], replace: bool = True) -> dict[str, int]:
    """Write pandas DataFrames / Arrow tables into Spark's raw tables (replace=False appends).
    Tables not given are created empty (replace) or left as they are (append)."""
    con = duckdb.connect()
    try:
        for table, frame in frames.items():
            con.register(f"_frame_{table}", frame)
        counts = _copy_from(con, {table: f"_frame_{table}" for table in frames}, replace=replace)
    finally:
        con.close()
    return counts


def raw_row_counts() -> dict[str, int]:
    session = spark_session()
    return {table: session.sql(f"select count(*) from {RAW_DATABASE}.{table}").collect()[0][0] for table in RAW_TABLES}


def to_arrow(frame) -> "pa.Table":
    """A Spark DataFrame as an Arrow table with the warehouse's types: timestamps as UTC wall-clock
    time without a zone (as DuckDB returns them), integers as integers even with nulls."""
    import pyarrow as pa

    batches = frame._collect_as_arrow()  # pyspark 3.5: Arrow straight from the JVM, no pandas detour
    schema = batches[0].schema if batches else None
    if schema is None:
        # No rows: build the empty table from Spark's schema through pandas (types kept by Arrow).
        frame.sparkSession.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
        table = pa.Table.from_pandas(frame.limit(0).toPandas(), preserve_index=False)
    else:
        table = pa.Table.from_batches(batches, schema=schema)
    columns = []
    for field, column in zip(table.schema, table.columns):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            column = column.cast(pa.timestamp(field.type.unit, tz="UTC")).cast(pa.timestamp(field.type.unit))
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def read_table(database: str, table: str) -> "pa.Table | None":
    """database.table from the `spark` target as Arrow, or None when it does not exist."""
    session = spark_session()
    if not session.catalog.tableExists(table, database):
        return None
    return to_arrow(session.sql(f"select * from {database}.{table}"))


def read_relation(name: str) -> "pa.Table | None":
    """A relation as dbt-spark renders it (the manifest's relation_name) as Arrow, or None when it does not exist."""
    from pyspark.errors import AnalysisException

    try:
        frame = spark_session().sql(f"select * from {name}")
    except AnalysisException as error:
        if "TABLE_OR_VIEW_NOT_FOUND" in str(error):
            return None
        raise
    return to_arrow(frame)


def _main(argv: list[str]) -> int:
    """`python -m setup_journeys.spark_raw load DUCKDB_FILE [--append]`: copy a DuckDB file's raw schema into Spark."""
    if len(argv) >= 2 and argv[0] == "load":
        counts = load_raw_from_duckdb(Path(argv[1]), replace="--append" not in argv)
        print("Spark raw tables: " + ", ".join(f"{table} {rows}" for table, rows in counts.items()))
        return 0
    print(_main.__doc__)
    return 2


if __name__ == "__main__":
    import sys

    raise SystemExit(_main(sys.argv[1:]))
