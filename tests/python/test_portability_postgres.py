"""Portability: the same project, built on PostgreSQL 15 from the same raw data, gives the same marts.

Starts a throwaway PostgreSQL cluster on loopback (Debian's binaries, run as the postgres user),
copies the demo raw tables into its `raw` schema, runs `dbt build --target postgres`, and compares
every mart with the DuckDB demo build. Skipped, with the reason, where PostgreSQL is not installed.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import DEMO_AS_OF, Warehouse
from setup_journeys.dbt_runner import run_dbt
from setup_journeys.raw_schema import RAW_TABLES

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_TYPES = {"VARCHAR": "text", "TIMESTAMP": "timestamp", "BOOLEAN": "boolean", "INTEGER": "integer"}
# Marts compared row for row (every column both engines have).
MARTS = [
    "account_integration_state",
    "account_setup_state",
    "account_setup_state_history",
    "setup_events_quarantine",
]

pytestmark = pytest.mark.skipif(
    not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None,
    reason=f"PostgreSQL binaries not found in {PG_BIN} (apt-get install postgresql-15 to run this test)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres() -> Iterator[dict[str, str]]:
    # pytest's temporary folders are private to root; the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="setup-journeys-pg-"))
    data = base / "data"
    shutil.chown(base, "postgres", "postgres")
    port = _free_port()

    def as_postgres(*args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, timeout=120)

    as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    as_postgres(
        str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w", "start",
        "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off",
    )
    try:
        import psycopg2

        admin = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        admin.autocommit = True
        admin.cursor().execute("create database setup_journeys")
        admin.close()
        yield {"PGHOST": "127.0.0.1", "PGPORT": str(port), "PGUSER": "postgres", "PGDATABASE": "setup_journeys"}
    finally:
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)


def _copy_raw(warehouse: Warehouse, env: dict[str, str]) -> None:
    import psycopg2
    from psycopg2.extras import execute_values

    with psycopg2.connect(host=env["PGHOST"], port=int(env["PGPORT"]), user="postgres", dbname=env["PGDATABASE"]) as con:
        cursor = con.cursor()
        cursor.execute("drop schema if exists raw cascade; create schema raw")
        with warehouse.connect() as duck:
            for table, columns in RAW_TABLES.items():
                cursor.execute(
                    f"create table raw.{table} ({', '.join(f'{name} {PG_TYPES[kind]}' for name, kind in columns.items())})"
                )
                rows = duck.execute(f"select {', '.join(columns)} from raw.{table}").fetchall()
                if rows:
                    execute_values(cursor, f"insert into raw.{table} ({', '.join(columns)}) values %s", rows)


def _normalise(value):
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


@pytest.fixture(scope="module")
def postgres_build(postgres: dict[str, str], demo_warehouse: Warehouse, tmp_path_factory) -> dict[str, str]:
    _copy_raw(demo_warehouse, postgres)
    saved = {key: os.environ.get(key) for key in postgres}
    os.environ.update(postgres)
    try:
        run_dbt(["build", "--target-path", str(tmp_path_factory.mktemp("pg_target"))], target="postgres", as_of=DEMO_AS_OF)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return postgres


@pytest.mark.parametrize("mart", MARTS)
def test_postgres_mart_equals_duckdb_mart(postgres_build: dict[str, str], demo_warehouse: Warehouse, mart: str) -> None:
    import psycopg2

    with psycopg2.connect(
        host=postgres_build["PGHOST"], port=int(postgres_build["PGPORT"]), user="postgres",
        dbname=postgres_build["PGDATABASE"],
    ) as con:
        cursor = con.cursor()
        cursor.execute(f"select * from analytics.{mart}")
        pg_columns = [description[0] for description in cursor.description]
        pg_rows = [dict(zip(pg_columns, row)) for row in cursor.fetchall()]
    duck_rows = demo_warehouse.query(f"select * from main.{mart}")
    assert duck_rows, f"{mart} is empty on DuckDB: nothing would be compared"
    columns = sorted(set(pg_columns) & set(duck_rows[0]))
    assert set(columns) == set(duck_rows[0]), f"columns missing on PostgreSQL: {set(duck_rows[0]) - set(columns)}"

    def canonical(rows):
        return sorted((tuple(_normalise(row[column]) for column in columns) for row in rows), key=repr)

    assert canonical(pg_rows) == canonical(duck_rows)
