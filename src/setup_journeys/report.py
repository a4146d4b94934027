"""The nightly HTML report for the growth team (issue 13): one self-contained file.

`write_report` reads the marts through a WarehouseReader (the same connection the nightly checks
use), draws every chart with plotly (the plotly.js bundle is inlined once, so the file opens with
no network), renders them with the jinja2 template `templates/report.html.j2`, and writes
`report.html` plus `report_headline.json` (the headline numbers). The change since the previous
run compares with the previous run's `report_headline.json`.

In the nightly job the report is written, after publishing, into the published run's folder
(`publish/current/report.html`, beside the export). `setup-journeys report` writes it anywhere.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.offline import get_plotlyjs

from setup_journeys.vocabulary import seed_rows

REPORT_FILE = "report.html"
HEADLINE_FILE = "report_headline.json"
#: The marts the report reads.
REPORT_TABLES = (
    "setup_funnel", "time_to_connect", "time_to_connect_survival", "time_to_connect_percentiles",
    "friction_segments", "friction_segment_daily_entries", "journey_lift", "journey_message_outcomes",
    "integration_status_confusion", "setup_events_quarantine", "export_journey_due",
)
#: Plan tiers by value (who to call first when stuck): the seed's tier_rank.
PLAN_VALUE = {row["plan_tier"]: int(row["tier_rank"]) for row in seed_rows("plan_tiers")}
STUCK_ROWS = 20
#: Every chart the report draws, in order (id -> title). The browser test checks each one renders.
CHARTS = {
    "chart-funnel": "Funnel per integration: share of started setups reaching each step (within the window)",
    "chart-km": "Time to connect: Kaplan-Meier cumulative completion (ticks: censored setups)",
    "chart-friction": "Friction segments over time: setups entering each segment per week",
    "chart-lift": "Lift of the journeys: treatment minus holdout, with 95% intervals",
    "chart-outcomes": "What followed each message (settled messages, credited until the next message)",
    "chart-confusion": "Status confusion per integration",
    "chart-status-views": "What followed a status view within 24 h, by the status shown",
    "chart-quality": "Data quality: quarantined raw rows by reason",
}


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: float | None
    fmt: str  # "int", "pct", "hours", "pp"
    better: str  # "up" or "down": which direction is good news


class ReportCheckFailed(RuntimeError):
    """The impact marts failed their great-expectations checks: no report is written from them."""


def _frames(reader: Any) -> dict[str, pd.DataFrame]:
    """The report's marts that exist in the warehouse (a missing one is drawn as empty)."""
    frames: dict[str, pd.DataFrame] = {}
    for table in REPORT_TABLES:
        data = reader.read(table)
        if data is not None:
            frames[table] = data.to_pandas()
    return frames


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def headlines(frames: dict[str, pd.DataFrame]) -> list[Headline]:
    ttc = frames["time_to_connect"]
    lift = frames["journey_lift"]
    overall = lift[lift["is_overall"].astype(bool)] if not lift.empty else lift
    overall_row = overall.iloc[0] if len(overall) else None
    friction = frames["friction_segments"]
    stuck = friction[friction["status"] != "abandoned"] if not friction.empty else friction
    completed = ttc[ttc["is_completed"].astype(bool)] if not ttc.empty else ttc
    settled = ttc[~ttc["is_window_open"].astype(bool)] if not ttc.empty else ttc
    return [
        Headline("setups_started", "Setups started", float(len(ttc)), "int", "up"),
        Headline("completion_rate_settled", "Completion rate (settled setups)",
                 _number(settled["is_completed_within_window"].mean()) if len(settled) else None, "pct", "up"),
        Headline("median_hours_to_connect", "Median time to connect (completed)",
                 _number(completed["minutes_to_complete"].median() / 60) if len(completed) else None, "hours", "down"),
        Headline("setups_stuck_now", "Setups stuck now (in friction, not abandoned)",
                 float(stuck[["account_id", "integration_type"]].drop_duplicates().shape[0]) if len(stuck) else 0.0,
                 "int", "down"),
        Headline("messages_due", "Messages due tonight", float(len(frames["export_journey_due"])), "int", "up"),
        Headline("completion_lift", "Completion lift vs holdout (overall)",
                 _number(overall_row["completion_rate_lift"]) if overall_row is not None else None, "pp", "up"),
        Headline("quarantined_rows", "Quarantined raw rows", float(len(frames["setup_events_quarantine"])),
                 "int", "down"),
    ]


def _format(value: float | None, fmt: str, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    sign = "+" if signed and value > 0 else ""
    if fmt == "pct":
        return f"{sign}{value * 100:.1f}%" if not signed else f"{sign}{value * 100:.1f} pp"
    if fmt == "pp":
        return f"{sign}{value * 100:.1f} pp"
    if fmt == "hours":
        return f"{sign}{value:.1f} h"
    return f"{sign}{value:,.0f}"


def _headline_rows(current: list[Headline], previous: dict[str, float | None] | None) -> list[dict[str, str]]:
    rows = []
    for item in current:
        before = (previous or {}).get(item.key)
        if previous is None:
            change, tone = "first run", "neutral"
        elif before is None or item.value is None:
            change, tone = "n/a", "neutral"
        else:
            delta = item.value - before
            change = _format(delta, item.fmt, signed=True) if delta else "no change"
            good = (delta > 0) == (item.better == "up")
            tone = "neutral" if not delta else ("good" if good else "bad")
        rows.append({"label": item.label, "value": _format(item.value, item.fmt), "change": change, "tone": tone})
    return rows


# -- charts ------------------------------------------------------------------------------------


def _layout(fig: go.Figure, **kwargs: Any) -> go.Figure:
    fig.update_layout(template="plotly_white", height=420, margin=dict(l=60, r=20, t=30, b=60), **kwargs)
    return fig


def chart_funnel(frames: dict[str, pd.DataFrame]) -> go.Figure:
    funnel = frames["setup_funnel"]
    fig = go.Figure()
    if not funnel.empty:
        steps = (funnel.groupby(["integration_type", "step_number"], as_index=False)
                 [["setups_started", "setups_reached"]].sum())
        steps["conversion"] = steps["setups_reached"] / steps["setups_started"]
        for step, rows in steps.groupby("step_number"):
            fig.add_bar(x=rows["integration_type"], y=rows["conversion"], name=f"step {int(step)}",
                        customdata=rows[["setups_reached", "setups_started"]],
                        hovertemplate="%{x} step " + str(int(step)) + ": %{y:.0%} (%{customdata[0]} of %{customdata[1]})")
    return _layout(fig, barmode="group", yaxis=dict(title="share of started setups", tickformat=".0%"))


def chart_km(frames: dict[str, pd.DataFrame]) -> go.Figure:
    survival = frames["time_to_connect_survival"]
    fig = go.Figure()
    for integration, rows in survival.groupby("integration_type") if not survival.empty else []:
        rows = rows.sort_values("minutes_since_start")
        hours = pd.concat([pd.Series([0.0]), rows["minutes_since_start"] / 60.0])
        completion = pd.concat([pd.Series([0.0]), rows["cumulative_completion"]])
        fig.add_scatter(x=hours, y=completion, mode="lines", line_shape="hv", name=integration,
                        legendgroup=integration)
        censored = rows[rows["setups_censored"] > 0]
        fig.add_scatter(x=censored["minutes_since_start"] / 60.0, y=censored["cumulative_completion"], mode="markers",
                        marker=dict(symbol="line-ns-open", size=9), name=f"{integration} censored",
                        legendgroup=integration, showlegend=False,
                        hovertemplate="%{x:.1f} h: censored")
    return _layout(fig, xaxis=dict(title="hours since start", type="log"),
                   yaxis=dict(title="cumulative completion", tickformat=".0%"))


def chart_friction(frames: dict[str, pd.DataFrame]) -> go.Figure:
    daily = frames["friction_segment_daily_entries"]
    fig = go.Figure()
    if not daily.empty:
        weekly = daily.assign(week=pd.to_datetime(daily["entered_on"]).dt.to_period("W-SUN").dt.start_time)
        per_week = weekly.groupby(["week", "segment"], as_index=False)["setups_entered"].sum()
        for segment, rows in per_week.groupby("segment"):
            fig.add_scatter(x=rows["week"], y=rows["setups_entered"], mode="lines+markers", name=segment)
    return _layout(fig, yaxis=dict(title="setups entering per week"), xaxis=dict(title="week (Monday)"))


def chart_lift(lift: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    rows = lift[(lift["breakdown"] == "journey_step") & (lift["lift_status"] == "ok")] if not lift.empty else lift
    for metric, label in (("completion", "completion rate"), ("activation", "activation rate")):
        if rows.empty:
            continue
        centre = rows[f"{metric}_rate_lift"]
        fig.add_scatter(
            x=centre, y=rows["journey_step"], mode="markers", name=label,
            error_x=dict(type="data", symmetric=False, array=rows[f"{metric}_rate_lift_ci_upper"] - centre,
                         arrayminus=centre - rows[f"{metric}_rate_lift_ci_lower"]),
            customdata=rows[["treatment_setups", "holdout_setups"]],
            hovertemplate="%{y}: %{x:+.1%} (n = %{customdata[0]} vs %{customdata[1]})",
        )
    fig.add_vline(x=0, line_dash="dash", line_color="grey")
    return _layout(fig, xaxis=dict(title="treatment - holdout (percentage points)", tickformat="+.0%"),
                   yaxis=dict(title=""))


def chart_outcomes(outcomes: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    if not outcomes.empty:
        settled = outcomes[outcomes["is_outcome_settled"].astype(bool)]
        columns = {"has_progressed": "progressed", "has_completed": "completed",
                   "has_test_event_or_success": "test event / success", "has_error_recurred": "error recurred",
                   "has_support_ticket": "support ticket"}
        shares = settled.groupby("journey_step")[list(columns)].mean()
        for column, label in columns.items():
            fig.add_bar(x=shares.index, y=shares[column], name=label)
    return _layout(fig, barmode="group", yaxis=dict(title="share of messages", tickformat=".0%"))


def chart_confusion(confusion: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    if not confusion.empty:
        per = confusion.groupby("integration_type")[
            ["setups_started", "setups_ui_flow_completed", "setups_ui_flow_completed_not_usable",
             "setups_reconnected_after_completion", "setups_reconnected_while_pending", "setups_completed"]].sum()
        fig.add_bar(x=per.index, y=per["setups_ui_flow_completed_not_usable"] / per["setups_ui_flow_completed"].where(
            per["setups_ui_flow_completed"] > 0), name="UI flow completed, not usable (of UI completions)")
        fig.add_bar(x=per.index, y=per["setups_reconnected_after_completion"] / per["setups_completed"].where(
            per["setups_completed"] > 0), name="reconnected after completion (of completed)")
        fig.add_bar(x=per.index, y=per["setups_reconnected_while_pending"] / per["setups_started"],
                    name="reconnected while pending (of started)")
    return _layout(fig, barmode="group", yaxis=dict(title="share of setups", tickformat=".0%"))


def chart_status_views(confusion: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    if not confusion.empty:
        statuses = ["connected", "pending", "error", "other"]
        totals = confusion[[f"status_views_{status}" for status in statuses]].sum()
        for followup, label in (("reconnect", "reconnect"), ("support_ticket", "support ticket"),
                                ("completion", "completion")):
            shares = [confusion[f"{status}_views_followed_by_{followup}"].sum() / totals[f"status_views_{status}"]
                      if totals[f"status_views_{status}"] else None for status in statuses]
            fig.add_bar(x=[f"{status} ({int(totals[f'status_views_{status}'])} views)" for status in statuses],
                        y=shares, name=label)
    return _layout(fig, barmode="group", yaxis=dict(title="share of views followed within 24 h", tickformat=".0%"))


def chart_quality(quarantine: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    counts = quarantine["reject_reason"].value_counts() if not quarantine.empty else pd.Series(dtype=int)
    fig.add_bar(x=counts.index.tolist(), y=counts.values.tolist(), name="quarantined rows")
    return _layout(fig, yaxis=dict(title="rows"))


def stuck_now(friction: pd.DataFrame) -> list[dict[str, Any]]:
    """Who is stuck right now: setups in a friction segment that are not abandoned, by plan value then hours stalled."""
    if friction.empty:
        return []
    stuck = friction[friction["status"] != "abandoned"].copy()
    stuck["plan_value"] = stuck["plan_tier"].map(PLAN_VALUE).fillna(0)
    stuck = stuck.sort_values(["plan_value", "hours_stalled", "account_id", "integration_type", "segment"],
                              ascending=[False, False, True, True, True])
    stuck = stuck.drop_duplicates(["account_id", "integration_type"]).head(STUCK_ROWS)
    return [
        {
            "account_id": row.account_id, "plan_tier": row.plan_tier, "integration_type": row.integration_type,
            "segment": row.segment, "hours_stalled": "" if pd.isna(row.hours_stalled) else f"{row.hours_stalled:.0f}",
            "next_required_step": row.next_required_step or "", "owner": row.owner or "",
            "first_response": row.first_response or "",
        }
        for row in stuck.itertuples()
    ]


def _lift_table(lift: pd.DataFrame) -> list[dict[str, str]]:
    if lift.empty:
        return []
    rows = lift[lift["breakdown"] == "journey_step"].sort_values("journey_step")

    def pct(value: Any, signed: bool = True) -> str:
        number = _number(value)
        return "" if number is None else (f"{number * 100:+.1f}" if signed else f"{number * 100:.1f}")

    return [
        {
            "journey_step": row.journey_step, "status": row.lift_status.replace("_", " "),
            "n": f"{int(row.treatment_setups)} / {int(row.holdout_setups)}",
            "rates": f"{pct(row.treatment_completion_rate, False)}% / {pct(row.holdout_completion_rate, False)}%",
            "lift": "" if _number(row.completion_rate_lift) is None else
            f"{pct(row.completion_rate_lift)} pp [{pct(row.completion_rate_lift_ci_lower)}, "
            f"{pct(row.completion_rate_lift_ci_upper)}]",
            "relative": "" if _number(row.completion_rate_relative_lift) is None else
            f"{pct(row.completion_rate_relative_lift)}%",
            "activation": "" if _number(row.activation_rate_lift) is None else
            f"{pct(row.activation_rate_lift)} pp [{pct(row.activation_rate_lift_ci_lower)}, "
            f"{pct(row.activation_rate_lift_ci_upper)}]",
        }
        for row in rows.itertuples()
    ]


def render_report(frames: dict[str, pd.DataFrame], *, as_of: datetime | None = None,
                  previous: dict[str, float | None] | None = None) -> tuple[str, dict[str, float | None]]:
    """The report's HTML and its headline numbers (to compare with on the next run)."""
    frames = {table: frames.get(table, pd.DataFrame()) for table in REPORT_TABLES}
    figures = {
        "chart-funnel": chart_funnel(frames),
        "chart-km": chart_km(frames),
        "chart-friction": chart_friction(frames),
        "chart-lift": chart_lift(frames["journey_lift"]),
        "chart-outcomes": chart_outcomes(frames["journey_message_outcomes"]),
        "chart-confusion": chart_confusion(frames["integration_status_confusion"]),
        "chart-status-views": chart_status_views(frames["integration_status_confusion"]),
        "chart-quality": chart_quality(frames["setup_events_quarantine"]),
    }
    charts = [
        {"id": chart_id, "title": CHARTS[chart_id],
         "html": figure.to_html(full_html=False, include_plotlyjs=False, div_id=chart_id,
                                config={"displaylogo": False, "responsive": True})}
        for chart_id, figure in figures.items()
    ]
    current = headlines(frames)
    lift = frames["journey_lift"]
    holdout = int(lift["lift_holdout_percent"].iloc[0]) if not lift.empty else None
    environment = Environment(loader=PackageLoader("setup_journeys", "templates"),
                              autoescape=select_autoescape(["html", "j2"]))
    html = environment.get_template("report.html.j2").render(
        as_of=as_of.strftime("%Y-%m-%d %H:%M:%S") if as_of else "",
        plotly_js=get_plotlyjs(),
        headlines=_headline_rows(current, previous),
        charts={chart["id"]: chart for chart in charts},
        stuck=stuck_now(frames["friction_segments"]),
        lift_rows=_lift_table(lift),
        holdout_percent=holdout,
        quarantined=len(frames["setup_events_quarantine"]),
    )
    return html, {item.key: item.value for item in current}


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, path)


def previous_headline(publish_dir: Path, exclude: Path | None = None) -> tuple[dict[str, float | None] | None, Path | None]:
    """The headline of the latest published run (other than `exclude`) that has one."""
    runs = publish_dir / "runs"
    if not runs.is_dir():
        return None, None
    excluded = exclude.resolve() if exclude else None
    for run in sorted((path for path in runs.iterdir() if path.is_dir() and not path.name.startswith(".")),
                      reverse=True):
        if excluded is not None and run.resolve() == excluded:
            continue
        headline = run / HEADLINE_FILE
        if headline.exists():
            return json.loads(headline.read_text()), run
    return None, None


def write_report(reader: Any, out_dir: Path, *, as_of: datetime | None = None,
                 previous: dict[str, float | None] | None = None, check: bool = True) -> Path:
    """Write report.html and report_headline.json into out_dir; return the report's path.

    With check=True the impact marts first pass their great-expectations suites (checks.py,
    IMPACT_TABLES); a failure raises ReportCheckFailed and writes nothing.
    """
    frames = _frames(reader)
    if check:
        from setup_journeys.checks import IMPACT_TABLES, run_checks

        result = run_checks(frames, as_of=as_of or datetime.now(), tables=IMPACT_TABLES)
        if not result.success:
            raise ReportCheckFailed(result.describe())
    html, headline = render_report(frames, as_of=as_of, previous=previous)
    out_dir = Path(out_dir)
    _atomic_write(out_dir / HEADLINE_FILE, json.dumps(headline, indent=2, sort_keys=True))
    _atomic_write(out_dir / REPORT_FILE, html)
    return out_dir / REPORT_FILE
