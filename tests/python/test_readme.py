"""The README's SQL examples run on the demo warehouse and return rows (an example that returns nothing on
the demo, such as one filtering on today's date, misleads the analyst who copies it)."""

from __future__ import annotations

import re

import pytest

from conftest import PROJECT_DIR, Warehouse


def readme_statements() -> list[str]:
    statements = []
    for block in re.findall(r"```sql\n(.*?)```", (PROJECT_DIR / "README.md").read_text(), flags=re.S):
        for statement in block.split(";"):
            code = [line for line in statement.splitlines() if line.strip() and not line.strip().startswith("--")]
            if code:
                statements.append(statement.strip())
    return statements


STATEMENTS = readme_statements()


def test_the_readme_has_sql_examples() -> None:
    assert len(STATEMENTS) >= 8


@pytest.mark.parametrize("statement", STATEMENTS, ids=[s.splitlines()[0][:60] for s in STATEMENTS])
def test_readme_sql_example_returns_rows_on_the_demo(demo_warehouse: Warehouse, statement: str) -> None:
    rows = demo_warehouse.query(statement)
    assert rows, f"the README example returns no row on the demo:\n{statement}"
