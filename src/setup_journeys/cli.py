"""The project's command line: `setup-journeys --help`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from setup_journeys import DEMO_AS_OF, settings
from setup_journeys.dbt_runner import DbtError, duckdb_path, is_spark, run_dbt
from setup_journeys.dbt_runner import target_path as dbt_target_path
from setup_journeys.seed_state import forget_build_state

# The nightly job's exit code per failing stage, so a scheduler can page differently.
NIGHTLY_EXIT_CODES = {"build": 1, "read": 1, "shrink": 2, "checks": 3, "publish": 4}
# The export was published but the HTML report could not be written.
REPORT_FAILED_EXIT_CODE = 5

app = typer.Typer(
    help="Integration-setup journeys: demo data, synthetic data, builds, the nightly job and benchmarks.",
    no_args_is_help=True,
    add_completion=False,
)

AsOf = Annotated[
    Optional[str],
    typer.Option("--as-of", help="Compute everything as of this UTC time, 'YYYY-MM-DD HH:MM:SS'. Default: now."),
]
Target = Annotated[Optional[str], typer.Option("--target", help="dbt target from profiles.yml (default: duckdb).")]
Vars = Annotated[
    Optional[str],
    typer.Option(
        "--vars",
        help="dbt vars for this run, as YAML, e.g. '{max_export_shrink_percent: 80}': passed on to dbt and read "
        "by the Python steps too.",
    ),
]
DbPath = Annotated[
    Optional[Path],
    typer.Option("--duckdb-path", help="DuckDB file to write the raw schema into (default: $DUCKDB_PATH)."),
]


def _load_into_spark(write, append: bool = False) -> dict[str, int]:
    """Write raw data with `write(duckdb_file)` into a scratch DuckDB file (the generators' one code
    path), then copy it into Spark's raw database (the `spark` target's warehouse), replacing the
    raw tables or appending to them. Returns the rows per Spark raw table."""
    import tempfile

    from setup_journeys.spark_raw import load_raw_from_duckdb

    with tempfile.TemporaryDirectory(prefix="setup-journeys-") as folder:
        scratch = Path(folder) / "scratch.duckdb"
        write(scratch)
        return load_raw_from_duckdb(scratch, replace=not append)


@app.command()
def demo(path: DbPath = None, target: Target = None) -> None:
    """Load the deterministic demo dataset into the raw schema (replaces the raw tables).

    --target spark writes Spark's `raw` database (the spark target's warehouse) instead.
    """
    from setup_journeys.demo import write_demo

    if is_spark(target):
        counts = _load_into_spark(write_demo)
    else:
        counts = write_demo(path or duckdb_path())
    typer.echo("Demo raw data loaded: " + ", ".join(f"{table} {rows}" for table, rows in counts.items()))
    typer.echo(f"The demo data is anchored at as_of {DEMO_AS_OF}.")


@app.command()
def generate(
    accounts: Annotated[int, typer.Option(help="Number of accounts.", min=1)] = 1000,
    days: Annotated[int, typer.Option(help="Days of history, ending at --end.", min=1)] = 90,
    end: Annotated[str, typer.Option(help="Last day of the data (UTC date).")] = "2026-03-10",
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same data.")] = 42,
    duplicate_rate: Annotated[float, typer.Option(help="Share of events delivered twice.", min=0, max=1)] = 0.02,
    late_rate: Annotated[float, typer.Option(help="Share of events received hours to days late.", min=0, max=1)] = 0.01,
    dirty_rate: Annotated[float, typer.Option(help="Share of rows made dirty (quarantine material).", min=0, max=1)] = 0.002,
    append: Annotated[bool, typer.Option(help="Append to existing raw tables instead of replacing them.")] = False,
    path: DbPath = None,
    target: Target = None,
) -> None:
    """Generate realistic synthetic raw data straight into the raw schema."""
    from setup_journeys.synthetic import GeneratorConfig, write_synthetic

    config = GeneratorConfig(
        accounts=accounts,
        days=days,
        end=end,
        seed=seed,
        duplicate_rate=duplicate_rate,
        late_rate=late_rate,
        dirty_rate=dirty_rate,
    )
    if is_spark(target):
        counts = _load_into_spark(lambda scratch: write_synthetic(scratch, config, append=False), append=append)
    else:
        counts = write_synthetic(path or duckdb_path(), config, append=append)
    typer.echo("Synthetic raw data written: " + ", ".join(f"{table} {rows}" for table, rows in counts.items()))


@app.command()
def build(
    as_of: AsOf = None,
    target: Target = None,
    full_refresh: Annotated[bool, typer.Option("--full-refresh", help="Rebuild incremental models.")] = False,
    select: Annotated[Optional[str], typer.Option(help="dbt selector.")] = None,
    vars_: Vars = None,
) -> None:
    """Run `dbt seed` and `dbt build` (models and tests) as of a point in time."""
    args = ["build"] + (["--full-refresh"] if full_refresh else []) + (["--select", select] if select else [])
    try:
        cli_vars = settings.parse_vars(vars_)
        pinned = settings.parse_as_of(as_of if as_of is not None else cli_vars.get("as_of"), name="--as-of")
        pinned_text = pinned.strftime(settings.AS_OF_TEXT_FORMAT) if pinned else None
        # This build loads the seeds of the code checked out: the nightly job's record of which seeds
        # the warehouse holds no longer holds (seed_state.py).
        forget_build_state(dbt_target_path())
        run_dbt(args, target=target, as_of=pinned_text, extra_vars=cli_vars)
    except (settings.SettingError, DbtError) as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from error


@app.command()
def nightly(
    as_of: AsOf = None,
    target: Target = None,
    publish_dir: Annotated[Path, typer.Option(help="Where published export files go.")] = Path("publish"),
    force: Annotated[bool, typer.Option(help="Publish even when the export shrinks past the threshold.")] = False,
    full_refresh: Annotated[bool, typer.Option("--full-refresh", help="Rebuild incremental models.")] = False,
    skip_build: Annotated[
        bool, typer.Option("--skip-build", help="Do not run dbt: check and publish marts an orchestrator already built.")
    ] = False,
    max_export_shrink_percent: Annotated[
        Optional[float],
        typer.Option(help="Override the var max_export_shrink_percent for this run.", min=0, max=100),
    ] = None,
    vars_: Vars = None,
) -> None:
    """The nightly job: build, check, publish the journey export, print a summary.

    Exit codes: 0 published; 1 dbt build or reading failed; 2 the export would shrink past the
    threshold (rerun with --force if expected); 3 a data check failed; 4 publishing failed;
    5 published, but the HTML report could not be written.
    """
    from setup_journeys.nightly import NightlyFailure, run_nightly

    try:
        cli_vars = settings.parse_vars(vars_)
    except settings.SettingError as error:
        typer.secho(f"Nightly run failed, nothing published: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(NIGHTLY_EXIT_CODES["build"]) from error
    try:
        result = run_nightly(
            as_of=as_of,
            target=target,
            publish_dir=publish_dir,
            force=force,
            full_refresh=full_refresh,
            shrink_percent=max_export_shrink_percent,
            build=not skip_build,
            cli_vars=cli_vars,
        )
    except NightlyFailure as error:
        typer.secho(f"Nightly run failed, nothing published: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(NIGHTLY_EXIT_CODES.get(error.stage, 1)) from error
    if result.report_error is not None:
        typer.secho(f"Published, but {result.report_error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(REPORT_FAILED_EXIT_CODE)


@app.command()
def report(
    target: Target = None,
    out_dir: Annotated[
        Path, typer.Option(help="Folder to write report.html and report_headline.json into (the nightly job "
                                "writes them into the published run's folder itself).")
    ] = Path("report"),
    publish_dir: Annotated[
        Optional[Path],
        typer.Option(help="Compare with the headline of the latest published run here (default: none)."),
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Write the self-contained HTML report (opens offline in any browser) from the built marts."""
    from setup_journeys.nightly import NightlyFailure, mart_reader, reader_for_target, resolve_as_of
    from setup_journeys.report import previous_headline, write_report

    previous = None
    if publish_dir is not None:
        previous, _ = previous_headline(publish_dir, exclude=out_dir if out_dir.exists() else None)
    target_path = dbt_target_path()
    try:
        marts = mart_reader(reader_for_target(target), target_path)
        pinned = resolve_as_of(as_of) if as_of else None
    except NightlyFailure as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from error
    path = write_report(marts, out_dir, as_of=pinned, previous=previous)
    typer.echo(f"Report written to {path}")


@app.command()
def benchmark(
    events: Annotated[list[str], typer.Option(help="Target event counts, e.g. 1M 10M 100M.")] = ["1M"],
    output: Annotated[Path, typer.Option(help="Markdown file the results are appended to.")] = Path("BENCHMARKS.md"),
    workdir: Annotated[Path, typer.Option(help="Where benchmark warehouses are written.")] = Path("warehouse/bench"),
    target: Target = None,
) -> None:
    """Time a full build and a one-day incremental run at each size; append to BENCHMARKS.md.

    --target spark times the same data on Spark (session mode): raw load, full and incremental build.
    """
    if is_spark(target):
        from setup_journeys.benchmark import run_spark_benchmarks

        run_spark_benchmarks(events, output=output, workdir=workdir)
        return
    from setup_journeys.benchmark import run_benchmarks

    run_benchmarks(events, output=output, workdir=workdir)


if __name__ == "__main__":
    app()
