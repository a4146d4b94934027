"""The raw schema the event pipeline loads (SPEC section 2): created here for demo and synthetic data."""

from __future__ import annotations

import duckdb

# Column order and DuckDB types exactly as SPEC section 2. Timestamps are plain TIMESTAMP (UTC).
RAW_TABLES: dict[str, dict[str, str]] = {
    "setup_events": {
        "event_id": "VARCHAR",
        "event_name": "VARCHAR",
        "occurred_at": "TIMESTAMP",
        "received_at": "TIMESTAMP",
        "account_id": "VARCHAR",
        "user_id": "VARCHAR",
        "integration_type": "VARCHAR",
        "properties": "VARCHAR",
    },
    "accounts": {
        "account_id": "VARCHAR",
        "account_name": "VARCHAR",
        "plan_tier": "VARCHAR",
        "signed_up_at": "TIMESTAMP",
        "acquisition_source": "VARCHAR",
        "updated_at": "TIMESTAMP",
    },
    "users": {
        "user_id": "VARCHAR",
        "account_id": "VARCHAR",
        "email": "VARCHAR",
        "role": "VARCHAR",
        "email_opt_out": "BOOLEAN",
        "created_at": "TIMESTAMP",
        "updated_at": "TIMESTAMP",
    },
    "message_sends": {
        "message_id": "VARCHAR",
        "sync_key": "VARCHAR",
        "account_id": "VARCHAR",
        "integration_type": "VARCHAR",
        "user_id": "VARCHAR",
        "journey_step": "VARCHAR",
        "reminder_number": "INTEGER",
        "sent_at": "TIMESTAMP",
    },
}


def create_raw_schema(con: duckdb.DuckDBPyConnection, replace: bool) -> None:
    """Create schema `raw` and its four tables; `replace=True` drops existing rows, else keeps them."""
    con.execute("create schema if not exists raw")
    for table, columns in RAW_TABLES.items():
        column_sql = ", ".join(f"{name} {type_}" for name, type_ in columns.items())
        verb = "create or replace table" if replace else "create table if not exists"
        con.execute(f"{verb} raw.{table} ({column_sql})")


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: object) -> None:
    """Insert a pandas DataFrame or pyarrow Table into raw.<table>, matching columns by name."""
    columns = ", ".join(RAW_TABLES[table])
    con.register("_raw_insert_frame", frame)
    try:
        con.execute(f"insert into raw.{table} ({columns}) select {columns} from _raw_insert_frame")
    finally:
        con.unregister("_raw_insert_frame")


def row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per raw table."""
    return {table: int(con.execute(f"select count(*) from raw.{table}").fetchall()[0][0]) for table in RAW_TABLES}
