"""What dbt built, read from the manifest it writes (`<target-path>/manifest.json`).

Python never spells a schema or a database: dbt decides where each model lives (profile, `+schema`
configs, a custom `generate_schema_name`), and records it as the model's `relation_name`, rendered and
quoted for the target's engine. The nightly job reads the marts at exactly those relations, and the
export's contract columns from the same nodes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Relation:
    """Where a model lives in the warehouse."""

    model: str
    #: The relation as dbt renders it for the engine, e.g. "warehouse"."main"."export_journey_due".
    name: str
    #: The database (DuckDB: the catalog name the build attached the file under); None when unknown.
    database: str | None = None

    @classmethod
    def unqualified(cls, model: str) -> Relation:
        """The bare model name, resolved by the connection's default schema (when no manifest says more)."""
        return cls(model, '"' + model.replace('"', '""') + '"')


@dataclass(frozen=True)
class Manifest:
    """The models of one dbt manifest, by name."""

    adapter_type: str | None
    models: Mapping[str, Mapping[str, Any]]
    seeds: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, target_path: Path) -> Manifest | None:
        """The manifest in dbt's target folder, or None when nothing was parsed or built there."""
        path = Path(target_path) / "manifest.json"
        if not path.exists():
            return None
        data = json.loads(path.read_text())
        nodes = data.get("nodes", {}).values()
        models = {node["name"]: node for node in nodes if node.get("resource_type") == "model"}
        seeds = {node["name"]: node for node in nodes if node.get("resource_type") == "seed"}
        return cls(adapter_type=data.get("metadata", {}).get("adapter_type"), models=models, seeds=seeds)

    def relation(self, model: str) -> Relation:
        """The model's relation_name; the bare name when the model is not in the manifest."""
        node = self.models.get(model)
        if not node or not node.get("relation_name"):
            return Relation.unqualified(model)
        return Relation(model, node["relation_name"], node.get("database"))

    def seed_relations(self) -> list[Relation]:
        """Where each seed was loaded, by seed name."""
        return [Relation(name, node["relation_name"], node.get("database"))
                for name, node in sorted(self.seeds.items()) if node.get("relation_name")]

    def columns(self, model: str) -> list[str] | None:
        """The model's documented columns in order (its YAML contract), or None when it has none."""
        node = self.models.get(model)
        return list(node.get("columns", {})) or None if node else None
