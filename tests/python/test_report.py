"""The nightly HTML report (issue 13), opened in headless Chromium (Debian's chromium package).

The report of the demo warehouse must render with no console error and no network request,
draw every chart it promises (each a plotly plot with its SVG and at least one trace), and the
full page is screenshotted under the test's tmp dir. The browser is the system chromium, driven
through the DevTools protocol by playwright's Python package (no browser download); the test
installs chromium with apt-get when it is missing, and fails - never skips - when it cannot.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from conftest import Warehouse
from setup_journeys.nightly import DuckDBReader
from setup_journeys.report import CHARTS, HEADLINE_FILE, REPORT_FILE, previous_headline, render_report, write_report

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _chromium() -> str:
    """The system chromium, installed with apt-get when missing (CI is a fresh machine)."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
        completed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
        if completed.returncode != 0:
            pytest.fail(f"chromium is missing and `{' '.join(command)}` failed:\n{completed.stderr[-2000:]}")
    found = shutil.which("chromium")
    if not found:
        pytest.fail("apt-get installed chromium but no `chromium` executable is on PATH")
    return found


@pytest.fixture(scope="module")
def report_path(demo_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    quarantined = float(demo_warehouse.scalar("select count(*) from setup_events_quarantine"))
    previous = {"setups_started": 700.0, "completion_rate_settled": 0.5, "quarantined_rows": quarantined}
    return write_report(DuckDBReader(demo_warehouse.path), out, as_of=datetime(2026, 3, 10, 12),
                        previous=previous)


def test_report_is_one_self_contained_file(report_path: Path, demo_warehouse: Warehouse) -> None:
    html = report_path.read_text()
    # plotly.js inlined once (its bundle names CDN urls for features the report does not use, e.g. maps:
    # the browser test below proves no request leaves the page); nothing else refers to the network.
    start = html.index('<script type="text/javascript">')
    end = html.index("</script>", start)
    assert "plotly" in html[start:end].lower() and len(html[start:end]) > 1_000_000
    outside = html[:start] + html[end:]
    assert html.count("Plotly.newPlot") == len(CHARTS)
    assert "cdn.plot.ly" not in outside and "<script src=" not in outside and "<link" not in outside
    for chart_id in CHARTS:
        assert f'id="{chart_id}"' in html, chart_id
    headline = json.loads((report_path.parent / HEADLINE_FILE).read_text())
    assert headline["setups_started"] == demo_warehouse.scalar("select count(*) from time_to_connect") > 700
    assert headline["quarantined_rows"] == demo_warehouse.scalar("select count(*) from setup_events_quarantine") > 0
    # The change since the previous run, with its direction.
    assert f"+{headline['setups_started'] - 700:,.0f}" in html
    assert "no change" in html  # quarantined rows: the same then and now


def test_report_opens_in_headless_chromium_with_every_chart(report_path: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    console_errors: list[str] = []
    network: list[str] = []
    with sync_playwright() as playwright:
        # playwright gives every launch a fresh temporary profile (its own --user-data-dir).
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: console_errors.append(str(error)))
            page.on("request", lambda request: network.append(request.url)
                    if not request.url.startswith(("file:", "data:", "blob:", "about:")) else None)
            page.goto(report_path.as_uri(), wait_until="load")
            page.wait_for_function(
                f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {len(CHARTS)}", timeout=60_000
            )
            rendered = page.evaluate(
                """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(plot => ({
                    id: plot.id,
                    svg: plot.querySelectorAll('.main-svg').length,
                    traces: plot.querySelectorAll('.trace').length,
                    height: plot.getBoundingClientRect().height,
                }))"""
            )
            screenshot = tmp_path / "report.png"
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    assert console_errors == []
    assert network == []
    by_id = {chart["id"]: chart for chart in rendered}
    assert set(by_id) == set(CHARTS)
    for chart_id, chart in by_id.items():
        assert chart["svg"] >= 1 and chart["traces"] >= 1 and chart["height"] > 100, chart
    assert screenshot.exists() and screenshot.stat().st_size > 50_000
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_broken_chart_is_caught_by_the_browser_check(report_path: Path, tmp_path: Path) -> None:
    """The browser check can fail: a report whose plotly.js is missing draws no chart and logs an error."""
    from playwright.sync_api import sync_playwright

    html = report_path.read_text()
    start = html.index('<script type="text/javascript">')
    end = html.index("</script>", start)
    broken = tmp_path / "broken.html"
    broken.write_text(html[:start] + html[end + len("</script>"):])
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(broken.as_uri(), wait_until="load")
            drawn = page.evaluate("document.querySelectorAll('.js-plotly-plot .main-svg').length")
        finally:
            browser.close()
    assert drawn == 0
    assert any("Plotly" in error for error in errors)


def test_previous_headline_is_the_latest_other_published_run(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    for name, started in (("20260308T000000Z", 1.0), ("20260309T000000Z", 2.0), ("20260310T000000Z", 3.0)):
        (runs / name).mkdir(parents=True)
        (runs / name / HEADLINE_FILE).write_text(json.dumps({"setups_started": started}))
    (runs / "20260311T000000Z").mkdir()  # a run without a report yet
    headline, run = previous_headline(tmp_path, exclude=runs / "20260310T000000Z")
    assert headline == {"setups_started": 2.0} and run == runs / "20260309T000000Z"
    assert previous_headline(tmp_path / "nowhere") == (None, None)


def test_report_renders_empty_marts_without_failing(demo_warehouse: Warehouse) -> None:
    import pandas as pd

    reader = DuckDBReader(demo_warehouse.path)
    frames = {table: reader.read(table).to_pandas().head(0) for table in (
        "setup_funnel", "time_to_connect", "time_to_connect_survival", "time_to_connect_percentiles",
        "friction_segments", "friction_segment_daily_entries", "journey_lift", "journey_message_outcomes",
        "integration_status_confusion", "setup_events_quarantine", "export_journey_due")}
    html, headline = render_report(frames)
    assert "Nobody is stuck." in html
    assert headline["setups_started"] == 0.0 and headline["completion_lift"] is None
    assert isinstance(frames["journey_lift"], pd.DataFrame)


def test_nightly_writes_the_report_beside_the_published_export(demo_warehouse: Warehouse, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from setup_journeys.nightly import run_nightly

    monkeypatch.setenv("DUCKDB_PATH", str(demo_warehouse.path))
    publish_dir = tmp_path / "publish"
    first = run_nightly(as_of="2026-03-10 12:00:00", publish_dir=publish_dir, build=False,
                        target_path=demo_warehouse.target_path, console=Console(quiet=True))
    assert first.report_error is None
    current = publish_dir / "current"
    assert (current / REPORT_FILE).exists() and (current / "export.parquet").exists()
    assert "first run" in (current / REPORT_FILE).read_text()
    second = run_nightly(as_of="2026-03-10 12:00:00", publish_dir=publish_dir, build=False,
                         target_path=demo_warehouse.target_path, console=Console(quiet=True))
    assert second.report_path is not None and second.report_path.parent == second.publish.run_dir
    html = (current / REPORT_FILE).read_text()
    assert "first run" not in html and "no change" in html


def test_impact_checks_gate_the_report(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """A lift interval that does not contain its estimate fails the great-expectations gate: no report."""
    import pyarrow as pa

    from setup_journeys.report import ReportCheckFailed

    class Broken:
        def read(self, table: str) -> pa.Table | None:
            data = DuckDBReader(demo_warehouse.path).read(table)
            if table == "journey_lift" and data is not None:
                frame = data.to_pandas()
                frame.loc[frame.index[0], "completion_rate_lift_ci_upper"] = -5.0
                frame.loc[frame.index[0], "completion_rate_lift"] = 0.1
                return pa.Table.from_pandas(frame, preserve_index=False)
            return data

    with pytest.raises(ReportCheckFailed, match="journey_lift.completion_rate_lift_ci_upper"):
        write_report(Broken(), tmp_path / "out", as_of=datetime(2026, 3, 10, 12))
    assert not (tmp_path / "out" / REPORT_FILE).exists()
