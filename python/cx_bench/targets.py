"""What `cx-bench pipeline` reports beyond its steps: the figures the speed targets are
set on, the targets judged from them, and where a `dbt build` spent its node time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

# The speed targets (docs/benchmarks.md): figure, the customer count
# it is set at (None: any size), the highest value that meets it, and its unit.
TARGETS = (
    ("full pipeline / reference", 100_000, 4.0, "x"),
    ("full pipeline / reference", 1_000_000, 2.5, "x"),
    ("peak memory, any step", 1_000_000, 4.0, "GB"),
    ("gate / reference", 1_000_000, 0.2, "x"),
    ("`make build` after one more day / full pipeline", 1_000_000, 0.15, "x"),
)


@dataclass(frozen=True)
class FixedCost:
    """The pipeline on a handful of customers' extracts over each target's own
    denominator (this run's reference, or its full pipeline): what no speed-up of the
    work that grows with the data removes."""

    customers: int
    by_reference: float  # the cold pipeline on them / this run's reference
    gate_by_reference: float
    again_by_full: float  # the pipeline on them again, nothing new / this run's full pipeline

    def value(self, figure: str) -> float | None:
        """None: the fixed cost says nothing of peak memory, which grows with the data."""
        return {
            "full pipeline / reference": self.by_reference,
            "peak memory, any step": None,
            "gate / reference": self.gate_by_reference,
            "`make build` after one more day / full pipeline": self.again_by_full,
        }[figure]


@dataclass(frozen=True)
class Figures:
    """The ratios the targets are set on, from one run's steps."""

    full: float  # build + gate + publish, seconds
    incremental: float  # the same after one more day, seconds
    by_reference: float  # full pipeline / reference
    gate_by_reference: float
    peak_gb: float  # the highest peak of any pipeline step (not the generator)
    incremental_by_full: float
    fixed_cost: FixedCost

    def value(self, figure: str) -> float:
        return {
            "full pipeline / reference": self.by_reference,
            "peak memory, any step": self.peak_gb,
            "gate / reference": self.gate_by_reference,
            "`make build` after one more day / full pipeline": self.incremental_by_full,
        }[figure]


def format_targets(customers: int, measured: Figures) -> str:
    """The targets against this run: met or not where the target is set at this size,
    and out of reach when the fixed cost alone is over the limit."""
    fixed = measured.fixed_cost
    lines = [
        f"| target | measured here | fixed cost ({fixed.customers} customers), same denominator"
        " | met |",
        "|---|---:|---:|---|",
    ]
    for figure, size, limit, unit in TARGETS:
        value, floor = measured.value(figure), fixed.value(figure)
        if size is None or size == customers:
            met = "yes" if value <= limit else "**no**"
            if floor is not None and floor > limit:
                met += f"; out of reach: over the limit at {fixed.customers} customers"
        else:
            met = f"not judged (the target is set at {size:,} customers)"
        shown = "" if floor is None else f"{floor:.2f} {unit}"
        lines.append(
            f"| {figure} at {size:,}: at most {limit:g} {unit} | {value:.2f} {unit}"
            f" | {shown} | {met} |"
        )
    return "\n".join(lines)


def node_times(target: Path) -> list[tuple[str, float, int]]:
    """Where a `dbt build` spent its node time, from its ``run_results.json`` and
    ``manifest.json``: (part, seconds, nodes), the slowest part first. Seconds are
    summed over nodes, so with two dbt threads they add up to more than the wall time."""
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    nodes = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    parts: dict[str, list[float]] = {}
    for result in results["results"]:
        kind = result["unique_id"].split(".", 1)[0]
        node = nodes.get(result["unique_id"], {})
        if kind == "model":
            layer = node["fqn"][1] if len(node.get("fqn", [])) > 2 else "other"
            part = f"{node.get('language', 'sql')} models: {layer}"
        elif kind == "operation":
            part = "on-run-start (reads the extracts)"
        else:
            part = {"test": "data tests", "unit_test": "unit tests", "seed": "seeds"}.get(
                kind, kind
            )
        parts.setdefault(part, []).append(float(result["execution_time"]))
    return sorted(
        ((part, sum(times), len(times)) for part, times in parts.items()),
        key=lambda row: -row[1],
    )


def format_node_times(rows: list[tuple[str, float, int]]) -> str:
    lines = ["| full `dbt build`: node time by part | seconds | nodes |", "|---|---:|---:|"]
    lines += [f"| {part} | {seconds:.1f} | {count} |" for part, seconds, count in rows]
    return "\n".join(lines)
