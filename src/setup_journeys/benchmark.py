"""Benchmarks (issue "Scale"): time a full dbt build and a one-day incremental run against a
hand-written reference script, at several sizes, and append the results to BENCHMARKS.md.

Every timed step runs in its own subprocess; a background thread samples the resident memory of
that process tree (psutil), so peak memory is per step. dbt's per-node timings come from
run_results.json, written to a per-run --target-path so concurrent runs do not clash.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import psutil

from setup_journeys import PROJECT_DIR
from setup_journeys.seed_state import SKIP_SEEDS_ARGS
from setup_journeys.settings import AS_OF_ENV
from setup_journeys.synthetic import GeneratorConfig, accounts_for_events, as_of_for, write_next_day, write_synthetic

REFERENCE_SQL = PROJECT_DIR / "scripts" / "reference_pipeline.sql"
# Same engine settings as the dbt profile (profiles.yml), so the comparison is like for like.
DUCKDB_MEMORY_LIMIT = os.environ.get("DUCKDB_MEMORY_LIMIT", "7GB")  # as profiles.yml
DUCKDB_THREADS = int(os.environ.get("DUCKDB_THREADS", "2"))
MARKER = "<!-- benchmark results are appended below this line by `setup-journeys benchmark` -->"


def parse_size(size: str) -> int:
    """'50k' -> 50_000, '1M' -> 1_000_000, '1.5M', '100M', '2500' (events)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgGbB]?)\s*", size)
    if not match:
        raise ValueError(f"Cannot read the size {size!r}: use a number of events such as 50k, 1M or 100M.")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * {"": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000, "b": 1_000_000_000}[unit])


@dataclass
class Measured:
    """Wall time and peak resident memory of one subprocess tree."""

    seconds: float
    peak_rss_bytes: int
    returncode: int
    output: str = ""


def measure(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
            interval: float = 0.1) -> Measured:
    """Run a command, sampling the RSS of it and its children until it exits."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(process.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            try:
                total = root.memory_info().rss
                for child in root.children(recursive=True):
                    try:
                        total += child.memory_info().rss
                    except psutil.NoSuchProcess:
                        pass
            except psutil.NoSuchProcess:
                break
            peak = max(peak, total)
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return Measured(seconds, peak, process.returncode, output)


# -- the reference script ---------------------------------------------------------------------

def run_reference(db_path: Path, as_of: str, temp_directory: Path | None = None) -> dict[str, float]:
    """Run scripts/reference_pipeline.sql in this process; return seconds per statement."""
    import duckdb

    con = duckdb.connect(str(db_path))
    try:
        con.execute(f"set memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        con.execute(f"set threads = {DUCKDB_THREADS}")
        con.execute("set preserve_insertion_order = false")
        con.execute("set enable_progress_bar = false")
        if temp_directory:
            con.execute(f"set temp_directory = '{temp_directory}'")
        con.execute(f"set variable as_of = timestamp '{as_of}'")
        timings: dict[str, float] = {}
        script = "\n".join(line for line in REFERENCE_SQL.read_text().splitlines()
                           if not line.lstrip().startswith("--"))
        for number, statement in enumerate(s for s in script.split(";") if s.strip()):
            started = time.perf_counter()
            con.execute(statement)
            target = re.search(r"(?:table|schema)\s+(?:if not exists\s+)?([\w.]+)", statement)
            timings[target.group(1) if target else f"statement {number}"] = time.perf_counter() - started
        return timings
    finally:
        con.close()


# -- dbt --------------------------------------------------------------------------------------

#: dbt's saved parse in its target folder, which a run reuses when the project, profile and vars are unchanged.
PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def dbt_executable() -> str:
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else "dbt"


def dbt_build(db_path: Path, as_of: str, target_path: Path, full_refresh: bool,
              previous_target: Path | None = None, skip_seeds: bool = False) -> tuple[Measured, list[dict[str, object]]]:
    """`dbt build` in a subprocess against db_path; returns the measurement and per-node timings.

    As the nightly job builds: every model and data test (unit tests check the SQL and run in CI),
    with as_of pinned in AS_OF_ENV rather than --vars, and dbt's saved parse of the previous night
    (previous_target's partial_parse.msgpack), which the nightly job finds in its target folder.
    skip_seeds (a night after a successful build of the same code) skips the seeds and the tests
    that read only them, as the nightly job does (seed_state.py).
    """
    command = [
        dbt_executable(), "build", "--exclude-resource-type", "unit_test",
        *(["--full-refresh"] if full_refresh else []),
        *(SKIP_SEEDS_ARGS if skip_seeds and not full_refresh else []),
        "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(target_path), "--log-path", str(target_path / "logs"),
    ]
    saved_parse = previous_target / PARTIAL_PARSE_FILE if previous_target else None
    if saved_parse and saved_parse.exists():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copy(saved_parse, target_path / PARTIAL_PARSE_FILE)
    # The profile leaves temp_directory at DuckDB's default (<database>.tmp, beside the file).
    env = {**os.environ, "DUCKDB_PATH": str(db_path), AS_OF_ENV: as_of,
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    measured = measure(command, env=env, cwd=PROJECT_DIR)
    nodes: list[dict[str, object]] = []
    run_results = target_path / "run_results.json"
    if run_results.exists():
        for result in json.loads(run_results.read_text())["results"]:
            nodes.append({"unique_id": result["unique_id"], "status": result["status"],
                          "seconds": float(result.get("execution_time") or 0.0)})
    return measured, nodes


# -- one size ---------------------------------------------------------------------------------

@dataclass
class SizeResult:
    label: str
    events: int = 0
    accounts: int = 0
    generate_s: float = 0.0
    reference: Measured | None = None
    reference_steps: dict[str, float] = field(default_factory=dict)
    full: Measured | None = None
    full_nodes: list[dict[str, object]] = field(default_factory=list)
    new_day_events: int = 0
    incremental: Measured | None = None
    incremental_nodes: list[dict[str, object]] = field(default_factory=list)
    # An incremental build with as_of one more day forward and no new raw rows (the cost of a quiet night).
    no_new_data: Measured | None = None
    no_new_data_nodes: list[dict[str, object]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def no_new_data_ratio(self) -> float | None:
        if self.no_new_data and self.full and self.full.seconds > 0:
            return self.no_new_data.seconds / self.full.seconds
        return None

    @property
    def ratio(self) -> float | None:
        if self.reference and self.full and self.reference.seconds > 0:
            return self.full.seconds / self.reference.seconds
        return None

    @property
    def incremental_ratio(self) -> float | None:
        if self.incremental and self.full and self.full.seconds > 0:
            return self.incremental.seconds / self.full.seconds
        return None

    @property
    def peak_rss_bytes(self) -> int:
        return max((m.peak_rss_bytes for m in (self.reference, self.full, self.incremental, self.no_new_data) if m),
                   default=0)


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def benchmark_size(label: str, workdir: Path, seed: int = 42, keep: bool = False,
                   log: callable = print) -> SizeResult:
    """Generate a warehouse of about `label` events, then time reference, full build, next-day build."""
    import duckdb

    result = SizeResult(label)
    target_events = parse_size(label)
    run_dir = workdir / f"run-{label}-{os.getpid()}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    db_path, temp_directory = run_dir / "warehouse.duckdb", run_dir / "duckdb_tmp"
    config = GeneratorConfig(accounts=accounts_for_events(target_events), seed=seed, show_progress=False)
    as_of, next_as_of, quiet_as_of = as_of_for(config), as_of_for(config, 1), as_of_for(config, 2)
    try:
        log(f"[{label}] generating {config.accounts} accounts into {db_path}")
        started = time.perf_counter()
        counts = write_synthetic(db_path, config)
        result.generate_s = time.perf_counter() - started
        result.events, result.accounts = counts["setup_events"], config.accounts

        log(f"[{label}] reference script ({result.events} events)")
        result.reference = measure([sys.executable, "-m", "setup_journeys.benchmark", "reference", str(db_path),
                                    as_of, str(temp_directory), str(run_dir / "reference.json")])
        if result.reference.returncode != 0:
            result.errors.append("reference script failed:\n" + _tail(result.reference.output))
        elif (run_dir / "reference.json").exists():
            result.reference_steps = json.loads((run_dir / "reference.json").read_text())
        # The reference writes its own schema; drop it so dbt starts from the raw tables only.
        con = duckdb.connect(str(db_path))
        con.execute("drop schema if exists reference cascade")
        con.close()

        log(f"[{label}] dbt build --full-refresh as of {as_of}")
        result.full, result.full_nodes = dbt_build(db_path, as_of, run_dir / "target-full", True)
        if result.full.returncode != 0:
            result.errors.append("full build failed:\n" + _tail(result.full.output))

        added = write_next_day(db_path, config)
        result.new_day_events = added["setup_events"]
        log(f"[{label}] dbt build (incremental, +{result.new_day_events} events) as of {next_as_of}")
        result.incremental, result.incremental_nodes = dbt_build(
            db_path, next_as_of, run_dir / "target-incremental", False, run_dir / "target-full",
            skip_seeds=result.full.returncode == 0)
        if result.incremental.returncode != 0:
            result.errors.append("incremental build failed:\n" + _tail(result.incremental.output))

        log(f"[{label}] dbt build (incremental, no new data) as of {quiet_as_of}")
        result.no_new_data, result.no_new_data_nodes = dbt_build(
            db_path, quiet_as_of, run_dir / "target-no-new-data", False, run_dir / "target-incremental",
            skip_seeds=result.incremental.returncode == 0)
        if result.no_new_data.returncode != 0:
            result.errors.append("no-new-data build failed:\n" + _tail(result.no_new_data.output))
    finally:
        if not keep:
            for path in (db_path, db_path.with_suffix(".duckdb.wal"), db_path.with_suffix(".duckdb.tmp"),
                         temp_directory):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                elif path.exists():
                    path.unlink()
    return result


# -- Spark ------------------------------------------------------------------------------------

@dataclass
class SparkSizeResult:
    label: str
    events: int = 0
    accounts: int = 0
    load: Measured | None = None
    full: Measured | None = None
    full_nodes: list[dict[str, object]] = field(default_factory=list)
    new_day_events: int = 0
    incremental: Measured | None = None
    incremental_nodes: list[dict[str, object]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def spark_dbt_build(warehouse: Path, as_of: str, target_path: Path, full_refresh: bool) -> tuple[Measured, list]:
    """`dbt build --target spark` (session mode: Spark runs inside this subprocess), as the nightly job builds."""
    command = [
        dbt_executable(), "build", "--exclude-resource-type", "unit_test", "--target", "spark",
        *(["--full-refresh"] if full_refresh else []),
        "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(target_path), "--log-path", str(target_path / "logs"),
    ]
    env = {**os.environ, "SPARK_WAREHOUSE_DIR": str(warehouse), AS_OF_ENV: as_of,
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    measured = measure(command, env=env, cwd=PROJECT_DIR)
    nodes = []
    run_results = target_path / "run_results.json"
    if run_results.exists():
        nodes = [{"unique_id": r["unique_id"], "status": r["status"], "seconds": float(r.get("execution_time") or 0.0)}
                 for r in json.loads(run_results.read_text())["results"]]
    return measured, nodes


def benchmark_spark_size(label: str, workdir: Path, seed: int = 42, log: callable = print) -> SparkSizeResult:
    """The same synthetic data as the DuckDB benchmark, built on Spark (session mode): raw load,
    full build, then the next day appended and an incremental build. Each step is its own process."""
    from setup_journeys.raw_schema import create_raw_schema

    import duckdb

    result = SparkSizeResult(label)
    run_dir = workdir / f"spark-{label}-{os.getpid()}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    warehouse, scratch, next_day = run_dir / "spark", run_dir / "scratch.duckdb", run_dir / "next_day.duckdb"
    config = GeneratorConfig(accounts=accounts_for_events(parse_size(label)), seed=seed, show_progress=False)
    as_of, next_as_of = as_of_for(config), as_of_for(config, 1)
    env = {**os.environ, "SPARK_WAREHOUSE_DIR": str(warehouse)}
    try:
        counts = write_synthetic(scratch, config)
        result.events, result.accounts = counts["setup_events"], config.accounts
        log(f"[spark {label}] loading {result.events} events into Spark")
        result.load = measure([sys.executable, "-m", "setup_journeys.spark_raw", "load", str(scratch)], env=env)
        if result.load.returncode != 0:
            result.errors.append("raw load failed:\n" + _tail(result.load.output))
            return result
        log(f"[spark {label}] dbt build --full-refresh as of {as_of}")
        result.full, result.full_nodes = spark_dbt_build(warehouse, as_of, run_dir / "target-full", True)
        if result.full.returncode != 0:
            result.errors.append("full build failed:\n" + _tail(result.full.output))
            return result
        con = duckdb.connect(str(next_day))
        create_raw_schema(con, replace=True)
        con.close()
        result.new_day_events = write_next_day(next_day, config)["setup_events"]
        appended = measure([sys.executable, "-m", "setup_journeys.spark_raw", "load", str(next_day), "--append"], env=env)
        if appended.returncode != 0:
            result.errors.append("next-day load failed:\n" + _tail(appended.output))
            return result
        log(f"[spark {label}] dbt build (incremental, +{result.new_day_events} events) as of {next_as_of}")
        result.incremental, result.incremental_nodes = spark_dbt_build(warehouse, next_as_of,
                                                                       run_dir / "target-incremental", False)
        if result.incremental.returncode != 0:
            result.errors.append("incremental build failed:\n" + _tail(result.incremental.output))
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    return result


def render_spark_section(results: list[SparkSizeResult], command: str) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Spark run of {now}",
        "",
        f"- Machine: {os.cpu_count()} cores, {_gb(psutil.virtual_memory().total)} memory; Spark in session mode "
        f"(`spark` target: local[{os.environ.get('SPARK_CORES', '2')}], driver memory "
        f"{os.environ.get('SPARK_DRIVER_MEMORY', '4g')}), {_versions()}.",
        f"- Command: `{command}`",
        "",
        "| size | events | accounts | raw load s | full build s | new-day events | incremental s | "
        "incremental / full | peak memory full / incremental |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        ratio = r.incremental.seconds / r.full.seconds if r.incremental and r.full and r.full.seconds else None
        lines.append(
            f"| {r.label} | {r.events:,} | {r.accounts:,} | {_s(r.load)} | {_s(r.full)} | {r.new_day_events:,} | "
            f"{_s(r.incremental)} | {_x(ratio)} | "
            + " / ".join("—" if m is None else _gb(m.peak_rss_bytes) for m in (r.full, r.incremental)) + " |"
        )
    for r in results:
        for name, nodes in (("full build", r.full_nodes), ("incremental", r.incremental_nodes)):
            models = sorted((n for n in nodes if str(n["unique_id"]).startswith("model.")),
                            key=lambda n: -float(n["seconds"]))[:5]
            if models:
                lines.append(f"- {r.label} {name}, slowest models: " + ", ".join(
                    f"{_node_name(str(n['unique_id']))} {float(n['seconds']):.1f} s" for n in models) + ".")
        for error in r.errors:
            lines += ["", "```", error, "```"]
    return "\n".join(lines) + "\n"


def run_spark_benchmarks(sizes: list[str], output: Path, workdir: Path, *, command: str | None = None) -> list:
    workdir = Path(workdir) if Path(workdir).is_absolute() else Path.cwd() / workdir
    results = [benchmark_spark_size(size, workdir) for size in sizes]
    append_results(output, render_spark_section(
        results, command or shlex.join(["setup-journeys", "benchmark", "--target", "spark",
                                        *[arg for size in sizes for arg in ("--events", size)]])))
    return results


# -- report -----------------------------------------------------------------------------------

def _gb(value: int) -> str:
    return f"{value / 1024 ** 3:.2f} GB"


def _s(measured: Measured | None) -> str:
    if measured is None:
        return "—"
    return f"{measured.seconds:.1f}" + ("" if measured.returncode == 0 else " (failed)")


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _node_name(unique_id: str) -> str:
    parts = unique_id.split(".")
    return f"{parts[0]} `{parts[2] if len(parts) > 2 else unique_id}`"


def _versions() -> str:
    import duckdb

    try:
        from dbt.version import __version__ as dbt_version
    except ImportError:  # pragma: no cover
        dbt_version = "?"
    return f"DuckDB {duckdb.__version__}, dbt-core {dbt_version}, Python {platform.python_version()}"


def render_section(results: list[SizeResult], command: str) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    memory = psutil.virtual_memory().total
    lines = [
        f"## Run of {now}",
        "",
        f"- Machine: {os.cpu_count()} cores, {_gb(memory)} memory, {platform.system()} {platform.machine()}; "
        f"{_versions()}; DuckDB memory_limit {DUCKDB_MEMORY_LIMIT}, threads {DUCKDB_THREADS}.",
        f"- Command: `{command}`",
        "",
        "| size | events | accounts | generate s | reference s | full build s | full / reference | "
        "new-day events | incremental s | incremental / full | peak memory | peak: reference / full / incremental | "
        "no new data s | no new data / full |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.label} | {r.events:,} | {r.accounts:,} | {r.generate_s:.1f} | {_s(r.reference)} | {_s(r.full)} | "
            f"{_x(r.ratio)} | {r.new_day_events:,} | {_s(r.incremental)} | {_x(r.incremental_ratio)} | "
            f"{_gb(r.peak_rss_bytes)} | "
            + " / ".join("—" if m is None else _gb(m.peak_rss_bytes) for m in (r.reference, r.full, r.incremental))
            + f" | {_s(r.no_new_data)} | {_x(r.no_new_data_ratio)} |"
        )
    lines.append("")
    lines.append("Peak memory is the largest resident set of the process tree over the reference script, the "
                 "full build, the incremental build and the no-new-data build (each sampled every 0.1 s). "
                 "The no-new-data build follows the incremental one: as_of one more day forward, no raw rows added.")
    if len(results) > 1:
        ordered = sorted(results, key=lambda r: r.events)
        for small, large in zip(ordered, ordered[1:]):
            if small.full and large.full and small.full.seconds > 0:
                lines.append(f"- Scaling {small.label} -> {large.label}: events x{large.events / small.events:.1f}, "
                             f"full build time x{large.full.seconds / small.full.seconds:.1f}.")
    for r in results:
        lines += ["", f"### {r.label}: slowest models (full build, then incremental)", ""]
        full = {n["unique_id"]: n for n in r.full_nodes}
        incremental = {n["unique_id"]: n for n in r.incremental_nodes}
        models = sorted((n for n in r.full_nodes if str(n["unique_id"]).startswith("model.")),
                        key=lambda n: -float(n["seconds"]))[:10]
        if models:
            lines += ["| model | full build s | incremental s |", "|---|---:|---:|"]
            for node in models:
                inc = incremental.get(node["unique_id"])
                lines.append(f"| {_node_name(str(node['unique_id']))} | {float(node['seconds']):.2f} | "
                             f"{'—' if inc is None else format(float(inc['seconds']), '.2f')} |")
        for name, nodes, measured in (("full build", r.full_nodes, r.full),
                                      ("incremental", r.incremental_nodes, r.incremental),
                                      ("no new data", r.no_new_data_nodes, r.no_new_data)):
            if not nodes or measured is None:
                continue
            kinds: dict[str, float] = {}
            for node in nodes:
                kind = str(node["unique_id"]).split(".")[0]
                kinds[kind] = kinds.get(kind, 0.0) + float(node["seconds"])
            lines.append(f"- {name}: {measured.seconds:.1f} s wall; node time summed over dbt's threads: "
                         + ", ".join(f"{kind}s {secs:.1f} s" for kind, secs in sorted(kinds.items())) + ".")
            tests = sorted((n for n in nodes if str(n["unique_id"]).startswith(("test.", "unit_test."))),
                           key=lambda n: -float(n["seconds"]))[:3]
            if tests:
                lines.append(f"  Slowest tests ({name}): " + ", ".join(
                    f"{_node_name(str(n['unique_id']))} {float(n['seconds']):.1f} s" for n in tests) + ".")
        if r.reference_steps:
            lines.append("- reference script: " + ", ".join(f"`{k}` {v:.1f} s" for k, v in r.reference_steps.items()))
        for error in r.errors:
            lines += ["", "```", error, "```"]
    return "\n".join(lines) + "\n"


INTRO = f"""# Benchmarks

Targets (issue "Scale"), on the 2-core, 24 GB reference machine, measured as ratios in one run:
full build at 10M events within 3x the reference script; at 100M events the nightly incremental
run with one new day takes at most 10% of the full build (ratio also reported at 1M and 10M);
1M -> 10M scales close to linearly (time ratio at most 12); 100M completes with peak memory under 12 GB.

Produced by `setup-journeys benchmark --events 1M --events 10M` (see `src/setup_journeys/benchmark.py`).
The reference is `scripts/reference_pipeline.sql`, run with the same DuckDB settings as the profile.

{MARKER}
"""


def append_results(output: Path, section: str) -> None:
    """Append a results section, creating the file with its introduction when missing."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    text = output.read_text() if output.exists() else INTRO
    if MARKER not in text:
        text = text.rstrip("\n") + "\n\n" + MARKER + "\n"
    output.write_text(text.rstrip("\n") + "\n\n" + section)


def default_command(sizes: list[str], output: Path, workdir: Path) -> str:
    argv = sys.argv
    if argv and Path(argv[0]).name in {"setup-journeys", "cli.py"}:
        return shlex.join(["setup-journeys", *argv[1:]])
    return shlex.join(["setup-journeys", "benchmark", *[arg for size in sizes for arg in ("--events", size)],
                       "--output", str(output), "--workdir", str(workdir)])


def run_benchmarks(sizes: list[str], output: Path, workdir: Path, *, seed: int = 42, keep: bool = False,
                   command: str | None = None) -> list[SizeResult]:
    """Benchmark each size in turn and append one section to `output`; return the results."""
    for size in sizes:
        parse_size(size)  # fail before hours of work on a typo
    workdir = Path(workdir)
    if not workdir.is_absolute():
        workdir = Path.cwd() / workdir
    results = []
    for size in sizes:
        results.append(benchmark_size(size, workdir, seed=seed, keep=keep))
    append_results(output, render_section(results, command or default_command(sizes, output, workdir)))
    return results


def _main(argv: list[str]) -> int:
    """`python -m setup_journeys.benchmark reference DB AS_OF [TEMP_DIR] [TIMINGS_JSON]` (used internally)."""
    if len(argv) >= 3 and argv[0] == "reference":
        timings = run_reference(Path(argv[1]), argv[2], Path(argv[3]) if len(argv) > 3 else None)
        if len(argv) > 4:
            Path(argv[4]).write_text(json.dumps(timings))
        return 0
    print(_main.__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
