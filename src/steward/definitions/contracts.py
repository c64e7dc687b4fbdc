"""Contracts as code: definitions/contracts/*.yaml, checked against the metrics and vendors they name.

Every problem comes back with file:line, all at once (`steward contract check`). A contract's
version for a period is the last one whose effective_from is on or before the period's first day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from steward.definitions.contract_models import Category, ContractFile, ServiceLevel, Version
from steward.definitions.located_yaml import (
    DefinitionError,
    DefinitionIssue,
    LocatedYaml,
    dotted,
    load_located,
    sorted_issues,
    validation_issues,
)
from steward.definitions.metrics import DIMENSIONS, Catalogue
from steward.domain.contract_terms import (
    Bonus,
    ChronicRule,
    CreditRule,
    LevelTerms,
    PeriodTerms,
    Ratchet,
)

SCOPE_COLUMNS = {"queues": "queue", "channels": "channel", "languages": "language", "sites": "site"}


@dataclass(frozen=True)
class Contract:
    """One loaded contract file with the fingerprint of its text (stored with every evaluation)."""

    file: Path
    spec: ContractFile
    sha256: str

    @property
    def id(self) -> str:
        return self.spec.contract

    @property
    def vendor(self) -> str:
        return self.spec.vendor

    def version_for(self, first_day: date) -> Version | None:
        """The version in force on `first_day`, or None before the first one."""
        found = [v for v in self.spec.versions if v.effective_from <= first_day]
        return found[-1] if found else None

    def version_label(self, version: Version) -> str:
        return f"{self.id}@{version.effective_from.isoformat()}"

    @property
    def starts(self) -> date:
        return self.spec.versions[0].effective_from


@dataclass(frozen=True)
class ContractBook:
    """Every contract of the workspace, and the problems of files that could not be used."""

    contracts: tuple[Contract, ...] = ()
    issues: tuple[DefinitionIssue, ...] = ()

    def for_vendor(self, vendor: str) -> Contract | None:
        return next((c for c in self.contracts if c.vendor == vendor), None)


def load_contracts(folder: Path, catalogue: Catalogue, vendors: Iterable[str] = ()) -> ContractBook:
    """Load and check every *.yaml in `folder`; a missing folder is no contracts."""
    known_vendors = set(vendors)
    contracts: list[Contract] = []
    issues: list[DefinitionIssue] = []
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        loaded = _load_one(path, catalogue, known_vendors)
        if loaded is None:
            continue
        if isinstance(loaded, list):
            issues.extend(loaded)
            continue
        if loaded.id in seen or loaded.vendor in {c.vendor for c in contracts}:
            other = seen.get(loaded.id) or next(c.file for c in contracts if c.vendor == loaded.vendor)
            message = (
                f"contract {loaded.id!r} for vendor {loaded.vendor!r} clashes with {other} (one contract per vendor)"
            )
            issues.append(DefinitionIssue(path, 1, "contract", message))
            continue
        seen[loaded.id] = path
        contracts.append(loaded)
    return ContractBook(tuple(contracts), tuple(issues))


def _load_one(path: Path, catalogue: Catalogue, vendors: set[str]) -> Contract | list[DefinitionIssue] | None:
    """The contract, its problems, or None for a file holding only comments (the example)."""
    try:
        located = load_located(path)
    except DefinitionError as error:
        return list(error.issues)
    if located.data is None:
        return None
    try:
        spec = ContractFile.model_validate(located.data)
    except ValidationError as error:
        return sorted_issues([*located.issues, *validation_issues(error, located, ContractFile)])
    problems = [*located.issues, *_cross_check(spec, located, catalogue, vendors)]
    if problems:
        return sorted_issues(problems)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Contract(path, spec, digest)


def _cross_check(
    spec: ContractFile, located: LocatedYaml, catalogue: Catalogue, vendors: set[str]
) -> list[DefinitionIssue]:
    issues = []
    if vendors and spec.vendor not in vendors:
        message = f"unknown vendor {spec.vendor!r}; vendors.yaml has {', '.join(sorted(vendors))}"
        issues.append(DefinitionIssue(located.file, located.line_of(("vendor",)), "vendor", message))
    for v, version in enumerate(spec.versions):
        for path, level in _levels_with_paths(version, ("versions", v)):
            for key, message in _level_problems(level, catalogue):
                where = (*path, *key)
                issues.append(DefinitionIssue(located.file, located.line_of(where), dotted(where), message))
    all_ids = {level.id for version in spec.versions for level in version.all_levels}
    snapshots = {
        level.id
        for version in spec.versions
        for level in version.all_levels
        if level.metric in catalogue.metrics and catalogue.metrics[level.metric].spec.source.is_snapshot
    }
    for e, exclusion in enumerate(spec.exclusions):
        hit = sorted(snapshots & set(exclusion.levels or all_ids))
        if hit:
            where = ("exclusions", e)
            message = f"{', '.join(hit)} measure a snapshot, from which time cannot be excluded; list the other levels"
            issues.append(DefinitionIssue(located.file, located.line_of(where), dotted(where), message))
        for level_id in exclusion.levels:
            if level_id not in all_ids:
                where = ("exclusions", e, "levels")
                message = f"no service level {level_id!r} in any version"
                issues.append(DefinitionIssue(located.file, located.line_of(where), dotted(where), message))
    return issues


def _levels_with_paths(
    version: Version, base: tuple[str | int, ...]
) -> list[tuple[tuple[str | int, ...], ServiceLevel]]:
    found = [
        ((*base, "categories", c, "levels", i), level)
        for c, category in enumerate(version.categories)
        for i, level in enumerate(category.levels)
    ]
    found += [((*base, "key_measurements", i), level) for i, level in enumerate(version.key_measurements)]
    return found


def _level_problems(level: ServiceLevel, catalogue: Catalogue) -> list[tuple[tuple[str, ...], str]]:
    try:
        metric = catalogue.get(level.metric)
    except KeyError as error:
        return [(("metric",), str(error.args[0]))]
    problems: list[tuple[tuple[str, ...], str]] = []
    if level.variant is not None and level.variant != metric.variant:
        message = f"pinned variant {level.variant!r} but metric {metric.id} is now {metric.variant!r}"
        problems.append((("variant",), message))
    allowed = DIMENSIONS[metric.spec.source]
    if "vendor" not in allowed:
        return [
            (("metric",), f"{metric.id} has no vendor ({metric.spec.source.value} rows); it cannot measure one partner")
        ]
    for key, values in level.scope.model_dump().items():
        if values and SCOPE_COLUMNS[key] not in allowed:
            problems.append(
                (("scope", key), f"{metric.id} cannot be scoped by {key} ({metric.spec.source.value} rows)")
            )
    if level.minimum is not None:
        stricter = level.minimum > level.expected if metric.better == "higher" else level.minimum < level.expected
        if stricter:
            message = (
                f"minimum {level.minimum:g} is stricter than expected {level.expected:g} ({metric.better} is better)"
            )
            problems.append((("minimum",), message))
    if level.credit.rule == "proportional" and metric.unit != "percent":
        message = f"the proportional rule needs a percent metric; {metric.id} is in {metric.unit}"
        problems.append((("credit", "rule"), message))
    if level.ratchet and level.ratchet.max_step_percent is not None and metric.unit != "percent":
        problems.append((("ratchet", "max_step_percent"), "a step limit in % of headroom needs a percent metric"))
    return problems


def period_terms(
    contract: Contract, version: Version, catalogue: Catalogue, charges: Decimal, levels: Sequence[str] | None = None
) -> PeriodTerms:
    """The version's terms for one period's charges, as the values the credit arithmetic takes."""
    terms = [
        _level_terms(level, catalogue, category)
        for category, level in version.critical_levels
        if levels is None or level.id in levels
    ]
    terms += [
        _level_terms(level, catalogue, None)
        for level in version.key_measurements
        if levels is None or level.id in levels
    ]
    rolling = version.rolling_cap
    chronic = version.chronic_failure
    defaults = version.expected_defaults
    return PeriodTerms(
        version=contract.version_label(version),
        charges=charges,
        at_risk_percent=version.at_risk_percent,
        levels=tuple(terms),
        rolling_cap_percent=rolling.percent if rolling else None,
        rolling_cap_periods=rolling.periods if rolling else 12,
        expected_misses_before_credit=defaults.misses if defaults else 1,
        expected_misses_window=defaults.within if defaults else 12,
        bonus_cap_percent=version.bonus.cap_percent,
        bonus_settlement=version.bonus.settlement,
        chronic=ChronicRule(chronic.within, chronic.misses, chronic.at_cap) if chronic else None,
    )


def _level_terms(level: ServiceLevel, catalogue: Catalogue, category: Category | None) -> LevelTerms:
    metric = catalogue.get(level.metric)
    bonus = level.bonus
    ratchet = level.ratchet
    return LevelTerms(
        id=level.id,
        better=metric.better,
        expected=level.expected,
        minimum=level.minimum,
        min_sample=level.min_sample,
        critical=category is not None,
        category_percent=category.pool_percent if category else Decimal(0),
        allocation_percent=level.allocation_percent,
        rule=CreditRule(level.credit.rule),
        fixed_amount=level.credit.amount or Decimal(0),
        bonus=Bonus(bonus.threshold, bonus.amount, bonus.percent_of_charges) if bonus else None,
        earnback_periods=level.earnback.periods if level.earnback else None,
        ratchet=Ratchet(ratchet.after_periods, ratchet.fraction, ratchet.max_step_percent) if ratchet else None,
    )
