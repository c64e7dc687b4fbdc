"""Scorecards as CSV rows and as a standalone HTML page finance can attach to the invoice."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

Card = dict[str, Any]
CSV_COLUMNS = (
    "contract",
    "vendor",
    "period",
    "version",
    "level",
    "kind",
    "category",
    "metric",
    "variant",
    "scope",
    "value",
    "unit",
    "sample",
    "expected",
    "minimum",
    "status",
    "credit_before_cap",
    "credit",
    "bonus",
    "earnback",
    "business_outcome",
)
UNIT_SUFFIX = {"percent": "%", "minutes": " min", "seconds": " s"}


def format_value(value: float | None, unit: str | None) -> str:
    """A level's value or target for people: 87.2%, 151.7 min, 1,609."""
    if value is None:
        return "—"
    if unit == "contacts":
        return f"{value:,.0f}"
    return f"{value:,.1f}{UNIT_SUFFIX.get(unit or '', '')}"


def money(amount: object, currency: str = "") -> str:
    """1,234.50 EUR from a decimal string; a dash for a figure the scorecard does not have."""
    if not isinstance(amount, str | int | float | Decimal):
        return "—"
    text = f"{Decimal(amount):,.2f}"
    return f"{text} {currency}".strip()


def scope_text(scope: dict[str, list[str]] | None) -> str:
    return "; ".join(f"{key} {', '.join(values)}" for key, values in (scope or {}).items()) or "all"


def csv_text(cards: Sequence[Card]) -> str:
    """One row per service level and period, with the level's money; period totals are in JSON and HTML."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for card in cards:
        for level in card["levels"]:
            writer.writerow(
                {
                    **level,
                    "contract": card["contract"],
                    "vendor": card["vendor"],
                    "period": card["period"],
                    "version": card["version"],
                    "level": level["id"],
                    "scope": scope_text(level.get("scope")),
                }
            )
    return out.getvalue()


def html_page(cards: Sequence[Card], title: str) -> str:
    """A self-contained page (no scripts, no external files) with every scorecard and its provenance."""
    environment = Environment(
        loader=PackageLoader("steward.rendering", "templates"),
        autoescape=select_autoescape(["html", "jinja"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["value"] = lambda level, key: format_value(level.get(key), level.get("unit"))
    environment.filters["money"] = money
    environment.filters["scope"] = scope_text
    return environment.get_template("scorecard.html.jinja").render(cards=cards, title=title)
