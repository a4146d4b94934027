"""The benchmark harness: size parsing, measurement, and a tiny end-to-end run (needs the dbt project)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from setup_journeys.benchmark import (
    MARKER,
    Measured,
    SizeResult,
    append_results,
    measure,
    parse_size,
    render_section,
    run_benchmarks,
)


@pytest.mark.parametrize(("text", "events"), [("50k", 50_000), ("1M", 1_000_000), ("100M", 100_000_000),
                                              ("1.5m", 1_500_000), ("2500", 2_500)])
def test_parse_size(text: str, events: int) -> None:
    assert parse_size(text) == events


def test_parse_size_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="50k, 1M or 100M"):
        parse_size("lots")


def test_measure_reports_time_and_peak_memory() -> None:
    # A child that holds ~200 MB for half a second.
    measured = measure([sys.executable, "-c", "import time; b = bytearray(200 * 1024 * 1024); "
                                              "b[::4096] = b'x' * len(b[::4096]); time.sleep(0.5)"])
    assert measured.returncode == 0
    assert measured.seconds >= 0.5
    assert measured.peak_rss_bytes >= 180 * 1024 * 1024


def test_report_keeps_the_introduction_and_appends(tmp_path: Path) -> None:
    output = tmp_path / "BENCHMARKS.md"
    output.write_text("# Benchmarks\n\nHand-written introduction.\n")
    result = SizeResult("1M", events=1_000_000, accounts=31_000,
                        reference=Measured(10.0, 2 * 1024 ** 3, 0), full=Measured(25.0, 3 * 1024 ** 3, 0),
                        incremental=Measured(2.0, 1024 ** 3, 0), new_day_events=20_000,
                        full_nodes=[{"unique_id": "model.setup_journeys.slow_model", "status": "success",
                                     "seconds": 12.5}])
    append_results(output, render_section([result], "setup-journeys benchmark --events 1M"))
    append_results(output, render_section([result], "setup-journeys benchmark --events 1M"))
    text = output.read_text()
    assert text.startswith("# Benchmarks\n\nHand-written introduction.")
    assert text.count("## Run of") == 2 and MARKER in text
    assert ("| 1M | 1,000,000 | 31,000 | 0.0 | 10.0 | 25.0 | 2.50 | 20,000 | 2.0 | 0.08 | 3.00 GB | "
            "2.00 GB / 3.00 GB / 1.00 GB |") in text
    assert "`setup-journeys benchmark --events 1M`" in text
    assert "| model `slow_model` | 12.50 | — |" in text


def test_tiny_benchmark_end_to_end(tmp_path: Path) -> None:
    output = tmp_path / "BENCHMARKS.md"
    results = run_benchmarks(["20k"], output=output, workdir=tmp_path / "bench", command="tiny benchmark")
    (result,) = results
    assert not result.errors, result.errors
    assert 15_000 <= result.events <= 25_000
    assert result.reference and result.full and result.incremental
    assert result.full.returncode == 0 and result.incremental.returncode == 0
    assert result.new_day_events > 0 and result.peak_rss_bytes > 50 * 1024 ** 2
    assert any(node["unique_id"].startswith("model.") for node in result.full_nodes)
    text = output.read_text()
    row = re.search(r"^\| 20k \| ([\d,]+) \| [\d,]+ \| [\d.]+ \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d,]+) \| "
                    r"([\d.]+) \| ([\d.]+) \| ([\d.]+) GB \| .* \|$", text, re.MULTILINE)
    assert row, text
    assert int(row.group(1).replace(",", "")) == result.events
    assert float(row.group(3)) == pytest.approx(result.full.seconds, abs=0.06)
    assert "### 20k: slowest models" in text and "`tiny benchmark`" in text
    # As a nightly job keeps target/: the full build parses the project, the nights after it start
    # from the saved parse although as_of changed (as_of is not in --vars, which would discard it).
    logs = {path.parent.parent.name: path.read_text() for path in (tmp_path / "bench").rglob("logs/dbt.log")}
    assert set(logs) == {"target-full", "target-incremental", "target-no-new-data"}, set(logs)
    assert "Unable to do partial parsing because saved manifest not found" in logs["target-full"]
    for night in ("target-incremental", "target-no-new-data"):
        assert "Unable to do partial parsing" not in logs[night], night
    # The warehouse is removed afterwards: benchmarks must not fill the disk.
    assert not list((tmp_path / "bench").rglob("*.duckdb"))
