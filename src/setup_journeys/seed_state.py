"""The nightly build loads and tests the seeds only after the code changed.

Seeds are code (the closed vocabularies and catalogs): they change with a commit, never with a
night's data, yet loading them and running the 55 data tests that read only seeds is about a
quarter of the nodes of every night. After each successful nightly build the job records, in
`<target-path>/last_nightly_build/`, that build's manifest (where each seed was loaded) and a
record: the dbt target, the settings naming its warehouse, the `--vars` other than as_of, and a
fingerprint of the files that define and test the seeds (`SEED_INPUTS`). The next night skips the
seeds, and with `--indirect-selection cautious` the tests whose parents are all seeds, when its
record is the same and every seed the manifest names exists in the warehouse. Every test that
reads a model, including the ones that join a model to a seed, runs every night; CI builds every
seed and test on every change, as it runs the unit tests the nightly build skips.

Everything is built when the run is a full refresh, when there is no record, or when any of those
checks fails (a deployment, another target, warehouse or vars, a new file, a dropped schema). The
record is replaced after every successful nightly build. `setup-journeys build` loads the seeds of
whatever code is checked out, so it deletes the record; after loading seeds by hand with plain
dbt, delete the folder or run the nightly job once with --full-refresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from setup_journeys import PROJECT_DIR
from setup_journeys.manifest import Manifest, Relation
from setup_journeys.settings import PROJECT_FILE

#: The folder, inside dbt's target folder, holding the record of the last successful nightly build.
STATE_DIR_NAME = "last_nightly_build"
MANIFEST_FILE = "manifest.json"
RECORD_FILE = "seeds.json"
#: What defines the seeds, how they load and what tests them (files and folders of the project).
SEED_INPUTS = (PROJECT_FILE.name, "profiles.yml", "seeds", "macros", "tests")
#: The environment variables profiles.yml names a warehouse with (DUCKDB_PATH is resolved apart).
WAREHOUSE_VARIABLES = ("PGHOST", "PGPORT", "PGDATABASE", "SPARK_WAREHOUSE_DIR", "SPARK_HOST", "SPARK_PORT")
#: The build arguments that skip every seed, and the tests that read seeds only.
SKIP_SEEDS_ARGS = ["--exclude", "resource_type:seed", "--indirect-selection", "cautious"]


def state_dir(target_path: Path) -> Path:
    """Where the record of the last successful nightly build is kept."""
    return Path(target_path) / STATE_DIR_NAME


def seed_fingerprint(project_dir: Path = PROJECT_DIR) -> str:
    """A digest of every file under SEED_INPUTS (the Python tests aside), names and contents."""
    digest = hashlib.sha256()
    for name in SEED_INPUTS:
        root = Path(project_dir) / name
        files = [root] if root.is_file() else sorted(path for path in root.rglob("*") if path.is_file())
        for path in files:
            if path.suffix in {".py", ".pyc"}:
                continue
            digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def current_record(target: str | None, cli_vars: Mapping[str, Any] | None = None) -> dict[str, object]:
    """What a build in this process would be recorded as: the dbt target, the settings that name its
    warehouse (profiles.yml reads them from the environment), the `--vars` other than as_of (which
    moves every night), and the seed fingerprint."""
    # dbt_runner imports dbt: only where a build runs in-process (not in the benchmark's parent).
    from setup_journeys.dbt_runner import duckdb_path, target_name, vars_without_as_of

    warehouse = {variable: os.environ.get(variable) for variable in WAREHOUSE_VARIABLES}
    warehouse["DUCKDB_PATH"] = str(duckdb_path().resolve())
    # Through JSON as it is saved (dates as text), so tonight's record compares equal to last night's.
    other_vars = json.loads(json.dumps(vars_without_as_of(cli_vars), default=str))
    return {"target": target_name(target), "warehouse": warehouse, "vars": other_vars, "fingerprint": seed_fingerprint()}


def seed_skip_args(target_path: Path, record: dict[str, object], table_exists: Callable[[Relation], bool]) -> list[str]:
    """SKIP_SEEDS_ARGS when the last successful nightly build in target_path has this record (same
    target, warehouse and seed fingerprint) and every seed it loaded still exists (table_exists); else
    nothing."""
    try:
        saved_record = json.loads((state_dir(target_path) / RECORD_FILE).read_text())
    except (OSError, ValueError):
        return []
    if saved_record != record:
        return []
    saved = Manifest.load(state_dir(target_path))
    if saved is None or not saved.seeds:
        return []
    if not all(table_exists(relation) for relation in saved.seed_relations()):
        return []
    return list(SKIP_SEEDS_ARGS)


def keep_build_state(target_path: Path, record: dict[str, object]) -> None:
    """After a successful nightly build: keep its manifest and its record (`current_record`, taken
    before the build started) for the next night."""
    built = Path(target_path) / MANIFEST_FILE
    if not built.exists():
        return
    saved = state_dir(target_path)
    saved.mkdir(parents=True, exist_ok=True)
    # Each file is copied, then renamed; the record goes last, so a night stopped half-way leaves no
    # record beside another build's manifest (the next night then loads every seed).
    (saved / RECORD_FILE).unlink(missing_ok=True)
    partial = saved / (MANIFEST_FILE + ".partial")
    shutil.copyfile(built, partial)
    partial.replace(saved / MANIFEST_FILE)
    partial = saved / (RECORD_FILE + ".partial")
    partial.write_text(json.dumps(record, sort_keys=True))
    partial.replace(saved / RECORD_FILE)


def forget_build_state(target_path: Path) -> None:
    """Seeds were loaded outside the nightly job: the next nightly build loads them all."""
    shutil.rmtree(state_dir(target_path), ignore_errors=True)
