"""`steward scorecard`: each contract's scorecard for a month, a quarter, or the month still running.

Closed months are evaluated in order from the contract's start (or the first month with data),
each stored once as a record that later months build on (earnback, chronic failure, ratchets).
Asking for a stored month prints the stored scorecard and checks that the data still gives the
same figures; when it does not, the stored revision stands until `--revise REASON` adds a new one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from steward.definitions.contracts import Contract, ContractBook
from steward.domain.contract_terms import LevelOutcome, Measurement, PeriodOutcome
from steward.engine.periods import PeriodError
from steward.engine.plan import QueryError
from steward.services.scorecard_cards import MONEY_FIELDS, Card, evaluate_month, measure_months, outcome_from_card
from steward.services.scorecard_data import Period, charge_volumes, last_data_day, month_of, quarter_of
from steward.services.scorecard_early import current_card
from steward.services.scorecard_quarter import quarter_card
from steward.storage.records import ScorecardRecord
from steward.workspace import Workspace

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
VOLATILE = ("revision", "evaluated_at", "reason", "state", "warnings")
FIGURES = (*sorted(MONEY_FIELDS), "at_cap", "flags", "next_targets", "charge_lines", "data", "version")
LEVEL_FIGURES = tuple(f.name for f in fields(LevelOutcome))


@dataclass(frozen=True)
class Inputs:
    """A month's measurements and charge volumes, measured together with the other months."""

    measured: dict[str, Measurement] | None
    volumes: tuple[int, Decimal] | None


class ScorecardError(ValueError):
    """A request the user has to correct: unknown period or vendor, broken contract files."""


@dataclass
class ScorecardReport:
    """The scorecards asked for, one per contract, and what the reader should know about them."""

    period: Period
    cards: list[Card] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def resolve_period(text: str, workspace: Workspace) -> tuple[Period, bool]:
    """`2026-10`, `2026-Q3`, `last` (the last complete month in the data) or `current` (running now);
    the flag says whether the period is still running."""
    today = workspace.today()
    if text == "current":
        return month_of(today), True
    if text == "last":
        return _last_complete_month(workspace), False
    period = _parse(text)
    if period.end > today:
        if period.grain == "month" and period.first <= today:
            return period, True
        raise ScorecardError(f"--period {text}: the period has not ended yet (today is {today}); use `current`")
    return period, False


def scorecards(
    workspace: Workspace, period_text: str, vendor: str | None = None, revise: str | None = None
) -> ScorecardReport:
    """Evaluate (or reprint) every contract's scorecard for the period."""
    book = _contracts(workspace)
    period, running = resolve_period(period_text, workspace)
    chosen = [c for c in book.contracts if vendor is None or c.vendor == vendor]
    if vendor is not None and not chosen:
        known = ", ".join(c.vendor for c in book.contracts) or "none"
        raise ScorecardError(f"no contract for vendor {vendor!r} (contracts exist for: {known})")
    if not chosen:
        raise ScorecardError("no contracts in definitions/contracts/ (see docs/contracts.md)")
    if revise is not None and (running or period.grain != "month"):
        raise ScorecardError("--revise re-evaluates one closed month, e.g. --period 2026-10 --revise 'late import'")
    report = ScorecardReport(period)
    for contract in chosen:
        try:
            card = _card(workspace, contract, period, running=running, revise=revise, warnings=report.warnings)
        except (QueryError, PeriodError) as error:
            raise ScorecardError(f"{contract.file}: {error}") from error
        if card is not None:
            report.cards.append(card)
    return report


def _card(
    workspace: Workspace, contract: Contract, period: Period, *, running: bool, revise: str | None, warnings: list[str]
) -> Card | None:
    last_closed = period.months[0] if running else period.months[-1]
    history, cards = closed_history(workspace, contract, last_closed, include_last=not running, revise=revise)
    if running:
        return current_card(workspace, contract, period, history, workspace.clock.now())
    months = [cards[m.label] for m in period.months if m.label in cards]
    for month in months:
        warnings.extend(f"{contract.id}: {w}" for w in month.get("warnings", []))
    if revise is not None:
        later = sorted(p for p in workspace.records.scorecards(contract.id) if p > period.label)
        if later:
            warnings.append(
                f"{contract.id}: {', '.join(later)} stay as stored, evaluated on the earlier revision of "
                f"{period.label}; revise them too if they should follow"
            )
    if period.grain == "quarter":
        return quarter_card(workspace, contract, period, months)
    if not months:
        warnings.append(f"{contract.id}: no version of the contract is in force in {period.label}")
    return months[0] if months else None


def closed_history(
    workspace: Workspace, contract: Contract, until: Period, *, include_last: bool, revise: str | None = None
) -> tuple[list[PeriodOutcome], dict[str, Card]]:
    """Every closed month from the contract's start to `until`, stored ones read back, the others
    evaluated and stored in order; returns the outcomes and the cards by month."""
    stored = workspace.records.scorecards(contract.id)
    history: list[PeriodOutcome] = []
    cards: dict[str, Card] = {}
    months = [m for m in _months(workspace, contract, until) if include_last or m != until]
    to_measure = [m for m in months if m.label not in stored or (m == until and include_last)]
    measured = measure_months(workspace, contract, to_measure)
    volumes = charge_volumes(workspace, contract.vendor, to_measure)
    for month in months:
        inputs = Inputs(measured.get(month.label), volumes.get(month.label))
        record = stored.get(month.label)
        if record is not None:
            check = month == until and include_last
            card = _reproduce(
                workspace,
                contract,
                month,
                history,
                record,
                inputs=inputs,
                check=check,
                revise=revise if check else None,
            )
        else:
            evaluated = evaluate_month(
                workspace, contract, month, history, measured=inputs.measured, volumes=inputs.volumes
            )
            if evaluated is None:
                continue
            card = evaluated[0]
            if card["data"]["interactions"]:
                card = _store(workspace, contract, card, 1, revise if month == until else None)
            else:  # stored now, every later import would need a --revise; kept provisional instead
                card["state"] = "not stored: the vendor has no interactions in this month yet"
        history.append(outcome_from_card(card))
        cards[month.label] = card
    return history, cards


def _reproduce(
    workspace: Workspace,
    contract: Contract,
    month: Period,
    history: Sequence[PeriodOutcome],
    record: ScorecardRecord,
    *,
    inputs: Inputs,
    check: bool,
    revise: str | None,
) -> Card:
    """The stored card; re-evaluated and compared when it is the month asked for."""
    stored = dict(record.scorecard)
    if not check:
        return stored
    evaluated = evaluate_month(workspace, contract, month, history, measured=inputs.measured, volumes=inputs.volumes)
    fresh = evaluated[0] if evaluated else None
    differences = _differences(stored, fresh)
    if revise is not None:
        if not differences:
            stored["warnings"] = [f"{month.label} reproduces revision {record.revision} exactly; nothing to revise"]
            return stored
        return _store(workspace, contract, fresh or {}, record.revision + 1, revise)
    if differences:
        stored["warnings"] = [
            f"{month.label}: the data now gives different figures ({', '.join(differences[:5])}); "
            f"revision {record.revision} stands. Re-evaluate with --revise REASON"
        ]
    return stored


def _differences(stored: Card, fresh: Card | None) -> list[str]:
    """The figures that differ: money, statuses, values, charges, the data behind them. Descriptions
    (the contract file's hash, formulas, exclusion texts) may change without the figures changing."""
    if fresh is None:
        return ["the contract is no longer in force"]
    differ = [key for key in FIGURES if stored.get(key) != fresh.get(key)]
    old = {level["id"]: level for level in stored.get("levels", [])}
    new = {level["id"]: level for level in fresh.get("levels", [])}
    for level_id in sorted(set(old) | set(new)):
        a, b = old.get(level_id, {}), new.get(level_id, {})
        differ += [f"{level_id} {key}" for key in LEVEL_FIGURES if a.get(key) != b.get(key)]
    return differ


def _store(workspace: Workspace, contract: Contract, card: Card, revision: int, reason: str | None) -> Card:
    evaluated_at = workspace.now_naive_utc()
    card = {
        **{k: v for k, v in card.items() if k not in VOLATILE},
        "revision": revision,
        "evaluated_at": f"{evaluated_at.isoformat(timespec='seconds')}Z",
        "reason": reason,
        "state": "closed",
    }
    workspace.records.add(
        ScorecardRecord(
            contract=contract.id,
            vendor=contract.vendor,
            period=card["period"],
            revision=revision,
            version=card["version"],
            contract_sha256=contract.sha256,
            evaluated_at=evaluated_at,
            reason=reason,
            net_adjustment=card["net_adjustment"],
            scorecard=card,
        )
    )
    return card


def _months(workspace: Workspace, contract: Contract, until: Period) -> list[Period]:
    first = max(contract.starts, _first_data_month(workspace, contract.vendor) or contract.starts)
    months, month = [], month_of(first)
    while month.first <= until.first:
        months.append(month)
        month = month_of(month.end)
    return months


def _first_data_month(workspace: Workspace, vendor: str) -> date | None:
    t = workspace.warehouse.table("interactions")
    earliest: datetime | None = t.filter(t.vendor == vendor).created_at.min().to_pyarrow().as_py()
    if earliest is None:
        return None
    zone = ZoneInfo(workspace.settings.reporting_timezone)
    return earliest.replace(tzinfo=UTC).astimezone(zone).date().replace(day=1)


def _last_complete_month(workspace: Workspace) -> Period:
    """The latest month the data reaches the last day of, and that has ended."""
    last = last_data_day(workspace)
    if last is None:
        raise ScorecardError("the warehouse holds no interactions yet; import data first (steward import)")
    month = month_of(last)
    if last != month.last_day or month.end > workspace.today():
        month = month_of(date.fromordinal(month.first.toordinal() - 1))
    return month


def _parse(text: str) -> Period:
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            return month_of(date(year, month, 1))
    if match := _QUARTER.match(text):
        return quarter_of(date(int(match[1]), 3 * int(match[2]) - 2, 1))
    raise ScorecardError(f"--period {text!r}: write YYYY-MM (2026-10), YYYY-Qn (2026-Q3), last or current")


def _contracts(workspace: Workspace) -> ContractBook:
    book = workspace.contracts
    issues = (*workspace.catalogue.issues, *book.issues)
    if issues:
        raise ScorecardError("fix the definitions first:\n" + "\n".join(str(issue) for issue in issues))
    return book
