"""Regenerate generated documentation: `python -m steward.interfaces.docs` (or `make docs`)."""

from __future__ import annotations

import sys
from pathlib import Path

from steward.rendering.data_format import render_data_format

DOCS = Path(__file__).resolve().parents[3] / "docs"


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    (DOCS / "data-format.md").write_text(render_data_format(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOCS / 'data-format.md'}\n")


if __name__ == "__main__":
    main()
