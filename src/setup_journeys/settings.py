"""The settings the Python side reads, each from the one place it lives.

**Vars.** `as_of` and every threshold are dbt vars: their defaults are in `dbt_project.yml` (`vars:`),
and a run overrides them with `--vars`, which dbt parses as YAML. `project_vars()` is the only Python
that reads `dbt_project.yml`; `resolve_vars()` applies the same `--vars` on top, parsed by dbt's own
parser, and the commands pass those `--vars` on to dbt, so Python and the SQL see one value.

**as_of.** One grammar, with two implementations of the same contract: this module for the command line,
and the Jinja macro `timestamp_var` in `macros/validation/settings.sql` for dbt. Both accept a string in
one of `AS_OF_FORMATS` with zero-padded fields (surrounding spaces ignored) that is a real date and time,
or a YAML timestamp or date; null, '', 'now', 'none' and 'null' mean the run's start. Python parses the
value once and hands dbt the canonical `AS_OF_TEXT_FORMAT`, so every part of a run pins the same instant.
`tests/python/test_settings.py` runs both on the same examples and fails when they disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

from setup_journeys import PROJECT_DIR

PROJECT_FILE = PROJECT_DIR / "dbt_project.yml"
#: The formats `timestamp_var` accepts, in its order (every field zero-padded to its width).
AS_OF_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M", "%Y-%m-%d")
#: How as_of is written for dbt, the checks and the published manifest.
AS_OF_TEXT_FORMAT = "%Y-%m-%d %H:%M:%S"
#: The environment variable through which the commands pin as_of for dbt (the macro `as_of_datetime`
#: reads it while dbt executes, when the var is not set): a new as_of keeps dbt's saved parse.
AS_OF_ENV = "SETUP_JOURNEYS_AS_OF"
_MEANS_NOW = frozenset({"", "now", "none", "null"})
_FIELD_WIDTH = {"%Y": r"\d{4}", "%m": r"\d{2}", "%d": r"\d{2}", "%H": r"\d{2}", "%M": r"\d{2}", "%S": r"\d{2}"}


class SettingError(ValueError):
    """A setting has a value its contract does not accept; the message says what was expected."""


@cache
def project_vars(project_file: Path = PROJECT_FILE) -> dict[str, Any]:
    """The vars block of dbt_project.yml: every var's default."""
    from dbt.clients.yaml_helper import load_yaml_text

    return dict((load_yaml_text(project_file.read_text()) or {}).get("vars") or {})


def parse_vars(text: str | None) -> dict[str, Any]:
    """A `--vars` argument as dbt reads it (a YAML or JSON mapping); raises SettingError otherwise."""
    if text is None or not text.strip():
        return {}
    from dbt.config.utils import parse_cli_vars

    try:
        return parse_cli_vars(text)
    except Exception as error:  # dbt's own errors for bad YAML or a non-mapping
        raise SettingError(f"--vars must be a YAML mapping like '{{as_of: \"2026-03-10 12:00:00\"}}': {error}") from error


def resolve_vars(cli_vars: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The vars a run sees: dbt_project.yml's defaults, overridden by `--vars` (as dbt does)."""
    return {**project_vars(), **(cli_vars or {})}


@cache
def _shape(fmt: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"%[YmdHMS]", lambda field: _FIELD_WIDTH[field.group()], fmt))


def parse_as_of(value: object, name: str = "as_of") -> datetime | None:
    """A UTC timestamp (naive) by the as_of contract; None means "now". Raises SettingError when malformed."""
    if value is None or (isinstance(value, str) and value.strip().lower() in _MEANS_NOW):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = str(value).strip()
    for fmt in AS_OF_FORMATS:
        if _shape(fmt).fullmatch(text):
            try:
                return datetime.strptime(text, fmt)
            except ValueError:  # the right shape but no such day or time (2026-02-30, 24:00)
                break
    raise SettingError(
        f"{name} must be a UTC timestamp like '2026-03-10 12:00:00' (or a date like '2026-03-10', or null for "
        f"now), but it is '{value}'."
    )


def now() -> datetime:
    """The current UTC time to the second, naive (as the warehouse stores timestamps)."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def resolve_as_of(value: object, name: str = "as_of") -> datetime:
    """as_of pinned for a whole run: the parsed value, or now."""
    return parse_as_of(value, name) or now()


def percent(vars_: Mapping[str, Any], name: str, override: object = None) -> float:
    """A 0-100 percentage var (numeric text accepted, as `setting()` in the macros does); `override` wins."""
    value = vars_.get(name) if override is None else override
    try:
        number = float(value) if not isinstance(value, bool) else -1.0
    except (TypeError, ValueError):
        number = -1.0
    if not 0 <= number <= 100:
        raise SettingError(f"{name} must be a number from 0 to 100, but it is '{value}'.")
    return number
