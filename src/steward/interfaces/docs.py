"""Regenerate generated documentation: `python -m steward.interfaces.docs` (or `make docs`)."""

from __future__ import annotations

import sys
from pathlib import Path

from steward.definitions.contract_models import contract_schema
from steward.definitions.metrics import load_catalogue
from steward.rendering.data_format import render_data_format
from steward.rendering.metric_catalogue import render_metric_catalogue

DOCS = Path(__file__).resolve().parents[3] / "docs"


def generated() -> dict[str, str]:
    """Every generated page and its content."""
    return {
        "data-format.md": render_data_format(),
        "metric-catalogue.md": render_metric_catalogue(load_catalogue()),
        "contract.schema.json": contract_schema() + "\n",
    }


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    for name, text in generated().items():
        (DOCS / name).write_text(text, encoding="utf-8")
        sys.stdout.write(f"wrote {DOCS / name}\n")


if __name__ == "__main__":
    main()
