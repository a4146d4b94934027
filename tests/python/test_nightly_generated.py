"""Every night publishes when the input is valid: the nightly job on the generator's output, as a user runs it.

1. `setup-journeys generate` at several seeds and sizes, then `setup-journeys nightly`: exit 0, published,
   every check passed (a valid night must never be refused by a check that does not know a value).
2. Two consecutive nights (the generator's next day, an incremental build): the published diff's `changed`
   holds only rows whose message really changed. A row of a setup that got no new data overnight must be
   byte-identical, so a sync that updates on change does not touch it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from setup_journeys import PROJECT_DIR
from setup_journeys.synthetic import GeneratorConfig, as_of_for, write_next_day, write_synthetic
from setup_journeys.publish import DIFF_IGNORED_COLUMNS

CLI = [sys.executable, "-m", "setup_journeys.cli"]


def run_cli(args: list[str], workdir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DUCKDB_PATH": str(workdir / "warehouse.duckdb"), "DBT_TARGET_PATH": str(workdir / "target")}
    return subprocess.run([*CLI, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=1800,
                          check=False)


@pytest.mark.parametrize(
    ("seed", "accounts", "days"),
    [
        (42, 1000, 90),  # the generator's defaults (the night that was refused over no_recipient)
        (7, 300, 30),
        (2026, 2500, 60),
    ],
)
def test_nightly_publishes_on_generated_data(seed: int, accounts: int, days: int, tmp_path: Path) -> None:
    generated = run_cli(["generate", "--seed", str(seed), "--accounts", str(accounts), "--days", str(days)], tmp_path)
    assert generated.returncode == 0, generated.stderr[-3000:]
    nightly = run_cli(["nightly", "--as-of", "2026-03-10 12:00:00", "--publish-dir", str(tmp_path / "publish")],
                      tmp_path)
    assert nightly.returncode == 0, (nightly.stdout + nightly.stderr)[-5000:]
    manifest = json.loads((tmp_path / "publish" / "current" / "manifest.json").read_text())
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        exported = con.execute("select count(*) from main.export_journey_due").fetchone()[0]
        reasons = dict(con.execute(
            "select suppression_reason, count(*) from main.journey_suppressions group by all").fetchall())
    assert manifest["row_count"] == exported > 0
    # The night exercised the guardrails the checks once refused, and still published.
    assert {"exit", "expired"} <= set(reasons), reasons
    assert "data checks passed" in nightly.stdout


@pytest.fixture(scope="module")
def two_nights(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Night 1 on generated data, then the generator's next day appended and night 2 (incremental)."""
    workdir = tmp_path_factory.mktemp("two_nights")
    config = GeneratorConfig(accounts=1500, days=45, seed=11, show_progress=False)
    write_synthetic(workdir / "warehouse.duckdb", config)
    night_1, night_2 = as_of_for(config), as_of_for(config, extra_days=1)
    first = run_cli(["nightly", "--as-of", night_1, "--publish-dir", str(workdir / "publish")], workdir)
    assert first.returncode == 0, (first.stdout + first.stderr)[-5000:]
    first_export = pd.read_parquet(workdir / "publish" / "current" / "export.parquet")
    first_run = (workdir / "publish" / "current").resolve()

    write_next_day(workdir / "warehouse.duckdb", config, day=1)
    second = run_cli(["nightly", "--as-of", night_2, "--publish-dir", str(workdir / "publish")], workdir)
    assert second.returncode == 0, (second.stdout + second.stderr)[-5000:]
    current = (workdir / "publish" / "current").resolve()
    assert current != first_run
    with duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True) as con:
        # Setups and people with any new data on day 2: events received, CDC rows, messages sent.
        touched_setups = set(con.execute(
            "select distinct account_id, lower(trim(integration_type)) from raw.setup_events"
            " where received_at > cast(? as timestamp)", [night_1]).fetchall())
        touched_accounts = {row[0] for row in con.execute(
            "select account_id from raw.accounts where updated_at > cast(? as timestamp)"
            " union select account_id from raw.users where updated_at > cast(? as timestamp)"
            " union select account_id from raw.message_sends where sent_at > cast(? as timestamp)"
            " union select account_id from raw.setup_events where received_at > cast(? as timestamp)"
            " and integration_type is null", [night_1] * 4).fetchall()}
    return {
        "first": first_export,
        "second": pd.read_parquet(current / "export.parquet"),
        "changed": pd.read_csv(current / "diff_changed.csv"),
        "manifest": json.loads((current / "manifest.json").read_text()),
        "touched_setups": touched_setups,
        "touched_accounts": touched_accounts,
    }


def test_two_nights_have_kept_rows_to_compare(two_nights: dict) -> None:
    kept = set(two_nights["first"]["sync_key"]) & set(two_nights["second"]["sync_key"])
    assert len(kept) >= 20, "too few messages due on both nights for the comparison to mean anything"
    assert two_nights["manifest"]["diff"]["changed"] == len(two_nights["changed"])


def test_changed_holds_exactly_the_rows_whose_message_differs(two_nights: dict) -> None:
    """Computed independently of the publisher: same key, another value in a column that defines the message."""
    first = two_nights["first"].set_index("sync_key")
    second = two_nights["second"].set_index("sync_key")
    message_columns = [column for column in second.columns if column not in DIFF_IGNORED_COLUMNS]
    assert set(DIFF_IGNORED_COLUMNS) == {"as_of"}, "only the run's own timestamp may be left out of the comparison"
    kept = first.index.intersection(second.index)
    differs = {
        key for key in kept
        if not first.loc[key, message_columns].astype(str).equals(second.loc[key, message_columns].astype(str))
    }
    assert set(two_nights["changed"]["sync_key"]) == differs


def test_a_row_changes_only_when_its_setup_or_people_got_new_data(two_nights: dict) -> None:
    """Time passing alone (as_of one day later) changes no message: nothing in the export is 'hours since'."""
    changed = two_nights["changed"]
    untouched = changed[[
        (row.account_id, row.integration_type) not in two_nights["touched_setups"]
        and row.account_id not in two_nights["touched_accounts"]
        for row in changed.itertuples()
    ]]
    assert untouched.empty, untouched[["sync_key", "journey_step", "changed_columns"]].to_string()
