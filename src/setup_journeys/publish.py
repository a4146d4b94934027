"""Publish the journey export as files a reverse-ETL tool or a bucket drop can sync (SPEC section 6).

Layout under the publish directory:

    runs/<run_id>/            one folder per published run (kept for history, oldest pruned)
        <journey_step>.csv    one file per journey step, every step always present (header only when empty)
        <journey_step>.parquet
        export.parquet        every row of the export
        diff_added.csv        rows whose sync_key was not in the previous published run
        diff_changed.csv      rows whose sync_key was published before with other values (as_of aside)
        diff_removed.csv      rows of the previous run whose sync_key is gone
        manifest.json         as_of, published_at, row counts per step, diff counts, columns and types
    current -> runs/<run_id>  symlink to the last published run

A run is written into a hidden temporary folder, renamed into runs/ when complete, and only then is
`current` swapped to it with an atomic rename of a new symlink. A failure at any point leaves `current`
pointing at the previous run's untouched files. Files are written by DuckDB (in memory), so column types
are the warehouse's own, even for an empty step or an all-null column, and rows are ordered by sync_key
so an unchanged export gives byte-identical files.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from setup_journeys.vocabulary import load as load_vocabulary

KEY = "sync_key"
# Columns that change every run without the message changing: not a reason to re-sync a row.
DIFF_IGNORED_COLUMNS: tuple[str, ...] = ("as_of",)
CURRENT = "current"
RUNS = "runs"
KEEP_RUNS = 30


class PublishError(RuntimeError):
    """Publishing was refused or failed; the previously published files are untouched."""


class ExportShrinkRefused(PublishError):
    """The export shrank by more than the threshold and the run was not forced."""


@dataclass(frozen=True)
class ExportDiff:
    added: int
    changed: int
    removed: int

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


@dataclass(frozen=True)
class PublishResult:
    run_id: str
    run_dir: Path
    current_dir: Path
    row_count: int
    previous_row_count: int | None
    rows_by_step: dict[str, int]
    diff: ExportDiff
    forced: bool
    manifest: dict[str, Any] = field(repr=False)


def check_shrink(previous_rows: int | None, new_rows: int, max_shrink_percent: float, force: bool) -> None:
    """Refuse an export that lost more than max_shrink_percent of the previous run's rows, unless forced."""
    if not previous_rows or force:
        return
    floor = previous_rows * (1 - max_shrink_percent / 100)
    if new_rows < floor:
        shrink = 100 * (previous_rows - new_rows) / previous_rows
        raise ExportShrinkRefused(
            f"the export would shrink from {previous_rows} to {new_rows} rows ({shrink:.1f}% fewer), more than "
            f"the {max_shrink_percent:g}% allowed by the var max_export_shrink_percent; the last published "
            f"files are untouched. Check the build (an empty raw load or a wrong as_of is the usual cause) "
            f"and rerun with --force if this is expected."
        )


def current_dir(publish_dir: Path) -> Path:
    return Path(publish_dir) / CURRENT


def previous_export(publish_dir: Path) -> Path | None:
    """The export.parquet of the last published run, if any."""
    path = current_dir(publish_dir) / "export.parquet"
    return path if path.exists() else None


def _as_arrow(export: pd.DataFrame | pa.Table) -> pa.Table:
    if isinstance(export, pa.Table):
        return export
    return pa.Table.from_pandas(export, preserve_index=False)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _diff_queries(new_columns: Sequence[str], previous_columns: Sequence[str]) -> dict[str, str]:
    """SQL over views `new_export` and `previous_export` for the three diff files."""
    compared = [column for column in new_columns if column != KEY and column not in DIFF_IGNORED_COLUMNS]
    key = _quote(KEY)
    order = f"order by {key}"

    def previous_value(column: str) -> str:
        return f"previous.{_quote(column)}" if column in previous_columns else "null"

    differs = [f"new.{_quote(column)} is distinct from {previous_value(column)}" for column in compared]
    changed_columns = ", ".join(
        f"case when {condition} then {_literal(column)} end" for column, condition in zip(compared, differs)
    )
    any_differs = " or ".join(differs) or "false"
    return {
        "added": f"select new.* from new_export as new anti join previous_export as previous using ({key}) {order}",
        "removed": (
            f"select previous.* from previous_export as previous anti join new_export as new using ({key}) {order}"
        ),
        "changed": (
            f"select new.*, concat_ws(',', {changed_columns or 'null'}) as changed_columns "
            f"from new_export as new inner join previous_export as previous using ({key}) "
            f"where {any_differs} {order}"
        ),
    }


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    options = "(format parquet, compression zstd)" if path.suffix == ".parquet" else "(format csv, header true)"
    con.execute(f"copy ({query}) to {_literal(str(path))} {options}")


def _new_run_id(runs_dir: Path, published_at: datetime) -> str:
    base = published_at.strftime("%Y%m%dT%H%M%S%fZ")
    run_id, suffix = base, 1
    while (runs_dir / run_id).exists():
        suffix += 1
        run_id = f"{base}-{suffix}"
    return run_id


def _swap_current(publish_dir: Path, run_id: str) -> None:
    """Point `current` at runs/<run_id> with one atomic rename of a fresh symlink."""
    current = current_dir(publish_dir)
    if current.exists() and not current.is_symlink():
        raise PublishError(
            f"{current} is a real folder, not the symlink this job maintains; move it away and rerun."
        )
    link = publish_dir / f".{CURRENT}-{run_id}"
    link.unlink(missing_ok=True)
    link.symlink_to(Path(RUNS) / run_id, target_is_directory=True)
    os.replace(link, current)


def _prune_runs(publish_dir: Path, keep: int) -> None:
    runs = sorted(path for path in (publish_dir / RUNS).iterdir() if path.is_dir() and not path.name.startswith("."))
    current_target = current_dir(publish_dir).resolve()
    for old in runs[: max(len(runs) - keep, 0)]:
        if old.resolve() != current_target:
            shutil.rmtree(old, ignore_errors=True)


def publish_export(
    export: pd.DataFrame | pa.Table,
    publish_dir: Path,
    *,
    as_of: datetime,
    max_shrink_percent: float,
    force: bool = False,
    journey_steps: Sequence[str] | None = None,
    extra_manifest: Mapping[str, Any] | None = None,
    keep_runs: int = KEEP_RUNS,
    published_at: datetime | None = None,
) -> PublishResult:
    """Write the export's files and its diff from the last published run, then make them current.

    Raises ExportShrinkRefused (nothing written) when the export shrank past the threshold unless
    force, and PublishError for anything else; in both cases `current` is untouched.
    """
    publish_dir = Path(publish_dir)
    journey_steps = list(journey_steps or load_vocabulary().step_names)
    table = _as_arrow(export)
    if KEY not in table.column_names:
        raise PublishError(f"the export has no {KEY} column, so it cannot be diffed or synced")
    previous_path = previous_export(publish_dir)
    published_at = published_at or datetime.now(timezone.utc)

    with duckdb.connect(":memory:") as con:
        con.register("new_export_arrow", table)
        con.execute("create view new_export as select * from new_export_arrow")
        if previous_path is not None:
            con.execute(
                f"create view previous_export as select * from read_parquet({_literal(str(previous_path))})"
            )
        else:
            # No previous run: an empty relation with the new columns, so every row is "added".
            con.execute("create view previous_export as select * from new_export limit 0")
        previous_columns = [row[0] for row in con.execute("describe previous_export").fetchall()]
        previous_rows = con.execute("select count(*) from previous_export").fetchall()[0][0] if previous_path else None
        new_rows = table.num_rows
        check_shrink(previous_rows, new_rows, max_shrink_percent, force)

        unknown_steps = sorted(
            step for (step,) in con.execute("select distinct journey_step from new_export").fetchall()
            if step not in journey_steps
        )
        if unknown_steps:
            raise PublishError(f"the export has journey steps with no file of their own: {unknown_steps}")
        rows_by_step = {step: 0 for step in journey_steps}
        rows_by_step.update(
            dict(con.execute("select journey_step, count(*) from new_export group by all").fetchall())
        )
        distinct_keys = con.execute(f"select count(distinct {_quote(KEY)}) from new_export").fetchall()[0][0]
        if distinct_keys != new_rows:
            raise PublishError(f"{KEY} is not unique in the export ({new_rows} rows, {distinct_keys} keys)")
        columns = [(row[0], row[1]) for row in con.execute("describe new_export").fetchall()]

        runs_dir = publish_dir / RUNS
        runs_dir.mkdir(parents=True, exist_ok=True)
        run_id = _new_run_id(runs_dir, published_at)
        staging = runs_dir / f".staging-{run_id}"
        try:
            staging.mkdir()
            ordered = f"select * from new_export order by {_quote(KEY)}"
            _copy(con, ordered, staging / "export.parquet")
            for step in journey_steps:
                query = f"select * from new_export where journey_step = {_literal(step)} order by {_quote(KEY)}"
                for suffix in (".csv", ".parquet"):
                    _copy(con, query, staging / f"{step}{suffix}")
            counts = {}
            for name, query in _diff_queries([name for name, _ in columns], previous_columns).items():
                _copy(con, query, staging / f"diff_{name}.csv")
                counts[name] = con.execute(f"select count(*) from ({query})").fetchall()[0][0]
            diff = ExportDiff(added=counts["added"], changed=counts["changed"], removed=counts["removed"])
            manifest: dict[str, Any] = {
                "run_id": run_id,
                "as_of": as_of.strftime("%Y-%m-%d %H:%M:%S"),
                "published_at": published_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "primary_key": KEY,
                "row_count": new_rows,
                "sync_key_count": distinct_keys,
                "rows_by_step": rows_by_step,
                "previous_row_count": previous_rows,
                "previous_run_id": _previous_run_id(publish_dir),
                "diff": {"added": diff.added, "changed": diff.changed, "removed": diff.removed},
                "diff_ignores_columns": list(DIFF_IGNORED_COLUMNS),
                "max_export_shrink_percent": max_shrink_percent,
                "forced": force,
                "columns": [{"name": name, "type": column_type} for name, column_type in columns],
                **dict(extra_manifest or {}),
            }
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
            run_dir = runs_dir / run_id
            os.rename(staging, run_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    _swap_current(publish_dir, run_id)
    _prune_runs(publish_dir, keep_runs)
    return PublishResult(
        run_id=run_id,
        run_dir=run_dir,
        current_dir=current_dir(publish_dir),
        row_count=new_rows,
        previous_row_count=previous_rows,
        rows_by_step=rows_by_step,
        diff=diff,
        forced=force,
        manifest=manifest,
    )


def _previous_run_id(publish_dir: Path) -> str | None:
    current = current_dir(publish_dir)
    manifest = current / "manifest.json"
    if not manifest.exists():
        return None
    return json.loads(manifest.read_text()).get("run_id")
