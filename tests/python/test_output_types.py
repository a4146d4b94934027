"""Column types that the marts' readers depend on, checked on the built demo warehouse.

Counts are 64-bit integers on every engine. DuckDB makes `sum(case when ... then 1 else 0 end)` and the
sum of a bigint a 128-bit HUGEINT, which pandas receives as float64 and reverse-ETL tools may refuse:
counts are written `count(case when ... then 1 end)` and sums of counts through the macro
`sum_of_counts`.
"""

from __future__ import annotations

from conftest import Warehouse


def test_no_table_stores_a_128_bit_integer(demo_warehouse: Warehouse) -> None:
    wide = demo_warehouse.query(
        "select table_schema || '.' || table_name || '.' || column_name as column_name, data_type"
        " from information_schema.columns where data_type in ('HUGEINT', 'UHUGEINT') order by 1"
    )
    assert wide == []


def test_mart_counts_reach_pandas_as_integers(demo_warehouse: Warehouse) -> None:
    with demo_warehouse.connect() as con:
        integer_columns = con.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'main' and data_type in ('BIGINT', 'INTEGER', 'HUGEINT') order by all"
        ).fetchall()
        tables = sorted({table for table, _ in integer_columns})
        frames = {table: con.execute(f'select * from "{table}" limit 1000').df() for table in tables}
    assert {"integration_status_confusion", "journey_lift", "friction_segments"} <= set(tables)
    not_integer = {f"{table}.{column}": str(frames[table][column].dtype) for table, column in integer_columns
                   if frames[table][column].dtype.kind not in "iu" and not frames[table][column].isna().any()}
    assert not_integer == {}
