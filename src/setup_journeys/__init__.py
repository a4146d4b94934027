"""Integration-setup journeys: the project's own commands (demo data, generator, nightly job, benchmarks)."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEMO_AS_OF = "2026-03-10 12:00:00"
