"""The nightly job: build, check, publish the journey export, print a summary (SPEC section 6).

    1. `dbt build` (seeds, models, dbt tests) as of one pinned as_of; any error stops the run.
    2. Read the export and the key marts through the target's own connection (WarehouseReader), at the
       relations dbt's manifest records for them (manifest.py): Python spells no schema.
    3. A great-expectations checkpoint over them (checks.py); any failed expectation stops the run.
    4. Publish per-step CSV/Parquet files and the diff from the last published run (publish.py),
       refusing an export that shrank past max_export_shrink_percent unless forced.
    5. Print rows per step, suppressions by reason, the largest friction segments, and the diff.
    6. Write the HTML report (report.py) into the published run's folder, beside the export:
       publish/current/report.html, with the change since the previous run's headline numbers.
       The export is already published then: a failed report is reported (CLI exit code 5),
       never unpublished.

Every failure raises NightlyFailure before `current` is touched: the sync tool keeps reading the
last good files, and the CLI exits non-zero.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import pyarrow as pa
from rich.console import Console
from rich.table import Table

from setup_journeys import settings
from setup_journeys.checks import CHECKED_TABLES, CheckResult, run_checks
from setup_journeys.dbt_runner import DbtError, duckdb_path, run_dbt, target_name
from setup_journeys.dbt_runner import target_path as dbt_target_path
from setup_journeys.manifest import Manifest, Relation
from setup_journeys.publish import ExportShrinkRefused, PublishError, PublishResult, publish_export
from setup_journeys.seed_state import current_record, keep_build_state, seed_skip_args

EXPORT_MODEL = "export_journey_due"
TOP_SEGMENTS = 5


class NightlyFailure(RuntimeError):
    """The nightly run stopped before publishing; `stage` says where (build, read, checks, shrink, publish)."""

    def __init__(self, message: str, stage: str) -> None:
        super().__init__(message)
        self.stage = stage


@dataclass(frozen=True)
class NightlyResult:
    as_of: datetime
    checks: CheckResult
    publish: PublishResult
    rows_by_step: dict[str, int]
    suppressions_by_reason: dict[str, int]
    largest_segments: list[tuple[str, int]]
    report_path: Path | None = None
    report_error: str | None = None


class WarehouseReader(Protocol):
    """Reads a mart as Arrow through the target's own connection. DuckDB and PostgreSQL are built in; a
    server database or a distributed engine plugs in with a class that has the same attribute and method."""

    #: The dbt adapter whose builds this reader can read (the manifest's metadata.adapter_type).
    adapter_type: str

    def read(self, relation: Relation | str) -> pa.Table | None:
        """The relation as Arrow (types as the warehouse has them), or None when it does not exist; a str is
        a model name, read unqualified (the connection's default schema)."""
        ...


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@dataclass(frozen=True)
class DuckDBReader:
    """Reads marts from a DuckDB file, attached read-only under the catalog name dbt built it with (so the
    manifest's relation names resolve even when the file was copied or renamed since)."""

    path: Path
    adapter_type: str = "duckdb"

    def read(self, relation: Relation | str) -> pa.Table | None:
        import duckdb

        relation = Relation.unqualified(relation) if isinstance(relation, str) else relation
        catalog = _quote(relation.database or Path(self.path).stem)
        con = duckdb.connect()
        try:
            con.execute(f"attach '{str(self.path).replace(chr(39), chr(39) * 2)}' as {catalog} (read_only)")
            con.execute(f"use {catalog}")
            try:
                return con.sql(f"select * from {relation.name}").to_arrow_table()
            except duckdb.CatalogException:
                return None
        finally:
            con.close()


@dataclass(frozen=True)
class PostgresReader:
    """Reads marts from the profile's `postgres` target (the same PG* environment variables)."""

    adapter_type: str = "postgres"

    def read(self, relation: Relation | str) -> pa.Table | None:
        import psycopg2
        from psycopg2 import errors

        relation = Relation.unqualified(relation) if isinstance(relation, str) else relation
        con = psycopg2.connect(
            host=os.environ.get("PGHOST", "localhost"),
            port=int(os.environ.get("PGPORT", "5432")),
            user=os.environ.get("PGUSER", "postgres"),
            password=os.environ.get("PGPASSWORD", ""),
            dbname=os.environ.get("PGDATABASE", "setup_journeys"),
        )
        try:
            cursor = con.cursor()
            try:
                cursor.execute(f"select * from {relation.name}")
            except errors.UndefinedTable:
                return None
            names = [description[0] for description in cursor.description]
            frame = pd.DataFrame.from_records(cursor.fetchall(), columns=names)
            return pa.Table.from_pandas(frame, preserve_index=False)
        finally:
            con.close()


@dataclass(frozen=True)
class SparkReader:
    """Reads marts from the `spark` target: the same in-process Spark session dbt wrote them with
    (dbt-spark session mode), so the checks read exactly the tables dbt built."""

    #: The profile's schema, where a model lives when no manifest names its relation.
    schema: str = "analytics"
    adapter_type: str = "spark"

    def read(self, relation: Relation | str) -> pa.Table | None:
        from setup_journeys.spark_raw import read_relation, read_table

        model = relation if isinstance(relation, str) else relation.model
        if isinstance(relation, str) or relation == Relation.unqualified(model):
            # No manifest: Relation.unqualified quotes for DuckDB and PostgreSQL, not Spark's backticks.
            return read_table(self.schema, model)
        return read_relation(relation.name)


def reader_for_target(target: str | None) -> WarehouseReader:
    """The reader for a dbt target: the embedded DuckDB file, PostgreSQL, or Spark in this process."""
    name = target_name(target)
    if name == "duckdb":
        return DuckDBReader(duckdb_path())
    if name == "postgres":
        return PostgresReader()
    if name == "spark":
        return SparkReader()
    raise NightlyFailure(
        f"the nightly checks read the marts through the target's own connection, and no reader is "
        f"implemented for target '{name}' yet: add a WarehouseReader for it in setup_journeys/nightly.py.",
        stage="read",
    )


@dataclass(frozen=True)
class MartReader:
    """Reads marts by model name, at the relation the build's manifest records for each (the bare name
    when there is no manifest). The nightly checks and the report read through it."""

    reader: WarehouseReader
    manifest: Manifest | None = None

    def read(self, table: str) -> pa.Table | None:
        return self.reader.read(self.manifest.relation(table) if self.manifest else Relation.unqualified(table))


def mart_reader(reader: WarehouseReader, target_path: Path) -> MartReader:
    """The reader with the manifest in dbt's target folder; a manifest of another adapter stops the run."""
    manifest = Manifest.load(target_path)
    expected = getattr(reader, "adapter_type", None)
    if manifest is not None and expected and manifest.adapter_type and manifest.adapter_type != expected:
        raise NightlyFailure(
            f"the manifest in {target_path} was written for a {manifest.adapter_type} build, but the marts "
            f"are read from {expected}: build (or `dbt parse`) for this target first, or point DBT_TARGET_PATH "
            f"at the target folder of the build that wrote these marts.",
            stage="read",
        )
    return MartReader(reader, manifest)


def _exists(reader: WarehouseReader, relation: Relation) -> bool:
    """Whether the relation can be read (any error reading it counts as missing: build it)."""
    try:
        return reader.read(relation) is not None
    except Exception:  # noqa: BLE001 - a driver error here only means "load the seeds again"
        return False


def resolve_as_of(as_of: object) -> datetime:
    """Pin as_of once for the whole run (dbt, checks, manifest): null or 'now' = now, UTC, to the second.

    The grammar is the as_of contract of settings.py, the same one dbt's `timestamp_var` macro applies."""
    try:
        return settings.resolve_as_of(as_of, name="--as-of")
    except settings.SettingError as error:
        raise NightlyFailure(str(error), stage="build") from error


def max_export_shrink_percent(override: float | None = None, cli_vars: Mapping[str, Any] | None = None) -> float:
    """The var max_export_shrink_percent: dbt_project.yml's value, overridden by --vars, then by `override`."""
    try:
        return settings.percent(settings.resolve_vars(cli_vars), "max_export_shrink_percent", override)
    except settings.SettingError as error:
        raise NightlyFailure(str(error), stage="publish") from error


def _counts(frame: pd.DataFrame | None, column: str) -> dict[str, int]:
    if frame is None or frame.empty or column not in frame:
        return {}
    counts = frame[column].fillna("(null)").value_counts()
    return {str(key): int(value) for key, value in counts.sort_index().sort_values(ascending=False, kind="stable").items()}


def print_summary(console: Console, result: NightlyResult) -> None:
    publish = result.publish
    console.print(f"[bold]Nightly run as of {result.as_of:%Y-%m-%d %H:%M:%S}[/bold]")
    console.print(f"Checks: {result.checks.describe()}.")
    console.print(
        f"Published {publish.row_count} rows to {publish.current_dir} (run {publish.run_id})"
        + (" [yellow]forced past the shrink guard[/yellow]" if publish.forced else "")
        + "."
    )
    steps = Table(title="Messages due by journey step", title_justify="left")
    steps.add_column("journey_step")
    steps.add_column("rows", justify="right")
    for step, rows in result.rows_by_step.items():
        steps.add_row(step, str(rows))
    steps.add_row("[bold]total[/bold]", f"[bold]{publish.row_count}[/bold]")
    console.print(steps)

    reasons = Table(title="Suppressed candidates by reason", title_justify="left")
    reasons.add_column("suppression_reason")
    reasons.add_column("rows", justify="right")
    for reason, rows in result.suppressions_by_reason.items():
        reasons.add_row(reason, str(rows))
    if not result.suppressions_by_reason:
        reasons.add_row("(none)", "0")
    console.print(reasons)

    segments = Table(title=f"Largest friction segments (top {TOP_SEGMENTS})", title_justify="left")
    segments.add_column("segment")
    segments.add_column("setups", justify="right")
    for segment, rows in result.largest_segments:
        segments.add_row(segment, str(rows))
    if not result.largest_segments:
        segments.add_row("(none)", "0")
    console.print(segments)

    diff = publish.diff
    before = "first publish" if publish.previous_row_count is None else f"{publish.previous_row_count} rows before"
    console.print(
        f"Diff from the last published run ({before}): {diff.added} added, {diff.changed} changed, "
        f"{diff.removed} removed keys."
    )
    if result.report_path is not None:
        console.print(f"Report: {publish.current_dir / result.report_path.name} (open it in a browser).")
    if result.report_error is not None:
        console.print(f"[red]{result.report_error} (the export above was published).[/red]")


def run_nightly(
    *,
    as_of: str | None = None,
    target: str | None = None,
    publish_dir: Path = Path("publish"),
    force: bool = False,
    full_refresh: bool = False,
    shrink_percent: float | None = None,
    target_path: Path | None = None,
    reader: WarehouseReader | None = None,
    console: Console | None = None,
    build: bool = True,
    cli_vars: Mapping[str, Any] | None = None,
    report: bool = True,
) -> NightlyResult:
    """Build, check, publish, summarise. Raises NightlyFailure (nothing published) on any failure.

    shrink_percent overrides the var max_export_shrink_percent; target_path is dbt's target folder
    (default PROJECT_DIR/target); reader overrides how marts are read; build=False skips dbt (the
    marts are already built, e.g. by an orchestrator's own dbt task); cli_vars are dbt `--vars` for this
    run, passed on to dbt and read here too (as_of, when `as_of` is not given, and the shrink threshold).
    """
    console = console or Console()
    cli_vars = dict(cli_vars or {})
    pinned = resolve_as_of(as_of if as_of is not None else settings.resolve_vars(cli_vars).get("as_of"))
    as_of_text = pinned.strftime(settings.AS_OF_TEXT_FORMAT)
    threshold = max_export_shrink_percent(shrink_percent, cli_vars)
    target_path = Path(target_path or dbt_target_path())

    reader = reader or reader_for_target(target)
    if build:
        # Unit tests check the SQL, not the night's data: CI runs them on every change, so the
        # nightly build skips their fixed cost (about a fifth of a small build) and keeps every
        # data test of the models. Seeds change only with the code too: a night after a successful
        # one of the same code, target and warehouse neither reloads nor tests them (seed_state.py).
        args = ["build", "--target-path", str(target_path), "--exclude-resource-type", "unit_test"]
        record = current_record(target, cli_vars)
        if full_refresh:
            args += ["--full-refresh"]
        else:
            args += seed_skip_args(target_path, record, lambda relation: _exists(reader, relation))
        console.print(f"Building the project as of {as_of_text} ...")
        try:
            run_dbt(args, target=target, as_of=as_of_text, extra_vars=cli_vars)
        except DbtError as error:
            raise NightlyFailure(f"the dbt build failed: {error}", stage="build") from error
        keep_build_state(target_path, record)

    marts = mart_reader(reader, target_path)
    try:
        arrow = {table: marts.read(table) for table in CHECKED_TABLES}
    except Exception as error:  # any driver error: report it as a failed run, not a traceback
        raise NightlyFailure(f"reading the marts failed: {error}", stage="read") from error
    frames = {table: data.to_pandas() for table, data in arrow.items() if data is not None}

    export_columns = marts.manifest.columns(EXPORT_MODEL) if marts.manifest else None
    checks = run_checks(frames, as_of=pinned, export_columns=export_columns)
    if not checks.success:
        raise NightlyFailure(checks.describe(), stage="checks")

    try:
        published = publish_export(
            arrow[EXPORT_MODEL],
            Path(publish_dir),
            as_of=pinned,
            max_shrink_percent=threshold,
            force=force,
            extra_manifest={"target": target or "duckdb", "checks": checks.describe()},
        )
    except PublishError as error:
        stage = "shrink" if isinstance(error, ExportShrinkRefused) else "publish"
        raise NightlyFailure(str(error), stage=stage) from error

    report_path, report_error = (_write_report(marts, published, Path(publish_dir), pinned) if report
                                 else (None, None))
    segments = _counts(frames.get("friction_segments"), "segment")
    result = NightlyResult(
        as_of=pinned,
        checks=checks,
        publish=published,
        rows_by_step=published.rows_by_step,
        suppressions_by_reason=_counts(frames.get("journey_suppressions"), "suppression_reason"),
        largest_segments=list(segments.items())[:TOP_SEGMENTS],
        report_path=report_path,
        report_error=report_error,
    )
    print_summary(console, result)
    return result


def _write_report(reader: MartReader, published: PublishResult, publish_dir: Path,
                  as_of: datetime) -> tuple[Path | None, str | None]:
    """Step 6: the HTML report beside the published export (never unpublishes on failure)."""
    from setup_journeys.report import previous_headline, write_report

    run_dir = Path(published.run_dir)
    try:
        previous, _ = previous_headline(publish_dir, exclude=run_dir)
        return write_report(reader, run_dir, as_of=as_of, previous=previous), None
    except Exception as error:  # the export is out already: say so, do not raise a traceback
        return None, f"writing the report failed: {error}"


__all__ = [
    "DuckDBReader", "MartReader", "NightlyFailure", "NightlyResult", "PostgresReader", "Relation", "WarehouseReader",
    "run_nightly",
]
