"""The shape of a contract file (definitions/contracts/*.yaml); docs/contracts.md explains each key.

Money is Decimal and percentages are written in percent (10 means 10%), so what the file says is
what the scorecard computes with. Checks that need the metric catalogue or the vendor list live
in steward.definitions.contracts; everything a file can get wrong on its own is checked here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from steward.domain.contract_terms import BonusSettlement

Percent = Decimal
Money = Decimal


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Tier(Strict):
    up_to: int | None = Field(default=None, gt=0, description="Last contact of this tier; empty for the top tier.")
    price: Money = Field(ge=0)


class VolumeTiers(Strict):
    mode: Literal["graduated", "all_units"] = Field(
        default="graduated",
        description="graduated: each contact at its own tier's price; all_units: every contact at the tier reached.",
    )
    tiers: tuple[Tier, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ascending(self) -> VolumeTiers:
        bounds = [tier.up_to for tier in self.tiers]
        if any(bound is None for bound in bounds[:-1]):
            raise ValueError("only the last tier may leave `up_to` empty")
        if bounds[-1] is not None:
            raise ValueError("the last tier prices every contact above the others: leave its `up_to` empty")
        given = [bound for bound in bounds if bound is not None]
        if given != sorted(set(given)):
            raise ValueError("tiers must be in ascending order of `up_to`, each bound once")
        return self


class Fees(Strict):
    monthly_fixed: Money = Field(default=Decimal(0), ge=0)
    per_handled_contact: Money = Field(default=Decimal(0), ge=0)
    per_productive_hour: Money = Field(default=Decimal(0), ge=0)
    volume_tiers: VolumeTiers | None = None

    @model_validator(mode="after")
    def _one_contact_price(self) -> Fees:
        if self.volume_tiers is not None and self.per_handled_contact:
            raise ValueError("price handled contacts either per_handled_contact or volume_tiers, not both")
        return self


class Scope(Strict):
    queues: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()


class Credit(Strict):
    rule: Literal["pool", "proportional", "fixed"] = "pool"
    amount: Money | None = Field(default=None, ge=0, description="The credit per miss under the fixed rule.")

    @model_validator(mode="after")
    def _amount_for_fixed(self) -> Credit:
        if (self.rule == "fixed") != (self.amount is not None):
            raise ValueError("`amount` goes with rule fixed, and rule fixed needs an `amount`")
        return self


class BonusTerms(Strict):
    threshold: float = Field(description="Value at or beyond which the bonus is earned (metric units).")
    amount: Money = Field(default=Decimal(0), ge=0)
    percent_of_charges: Percent = Field(default=Decimal(0), ge=0, le=100)


class Earnback(Strict):
    periods: int = Field(ge=1, le=24)


class RatchetTerms(Strict):
    after_periods: int = Field(ge=1, le=36)
    fraction: float = Field(default=0.5, gt=0, le=1)
    max_step_percent: float | None = Field(default=None, gt=0, le=100)


class ServiceLevel(Strict):
    """A measured commitment; credit-bearing inside a category, reported only as a key measurement."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    metric: str
    variant: str | None = Field(default=None, description="Pins the metric's variant; a later change fails the check.")
    scope: Scope = Scope()
    expected: float
    minimum: float | None = None
    window: Literal["month", "quarter"] = "month"
    min_sample: int = Field(default=0, ge=0)
    outcome: str = Field(default="", description="The business outcome this level protects, shown on reports.")
    allocation_percent: Percent = Field(default=Decimal(0), ge=0, le=100)
    credit: Credit = Credit()
    bonus: BonusTerms | None = None
    earnback: Earnback | None = None
    ratchet: RatchetTerms | None = None


class Category(Strict):
    name: str
    pool_percent: Percent = Field(ge=0, le=1000)
    levels: tuple[ServiceLevel, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _allocations(self) -> Category:
        total = sum((level.allocation_percent for level in self.levels), Decimal(0))
        if total > 100:
            raise ValueError(f"level allocations in category {self.name!r} add up to {total}%, more than 100%")
        return self


class RollingCap(Strict):
    percent: Percent = Field(gt=0, le=100)
    periods: int = Field(default=12, ge=2, le=36)


class ExpectedDefaults(Strict):
    misses: int = Field(ge=1)
    within: int = Field(default=12, ge=1)


class BonusRules(Strict):
    cap_percent: Percent | None = Field(default=None, ge=0, le=100)
    settlement: BonusSettlement = BonusSettlement.NET


class Chronic(Strict):
    within: int = Field(ge=1, le=36)
    misses: int | None = Field(default=None, ge=1)
    at_cap: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _something(self) -> Chronic:
        if self.misses is None and self.at_cap is None:
            raise ValueError("set `misses`, `at_cap` or both")
        return self


class VolumeShare(Strict):
    """The contract's floor and ceiling on the partner's share of the client's volume (steward wfm allocate)."""

    min: Percent = Field(default=Decimal(0), ge=0, le=100, description="Smallest share promised, in percent.")
    max: Percent = Field(default=Decimal(100), ge=0, le=100, description="Largest share the partner takes, in %.")

    @model_validator(mode="after")
    def _ordered(self) -> VolumeShare:
        if self.min > self.max:
            raise ValueError(f"volume_share min {self.min}% is above max {self.max}%")
        return self


class Version(Strict):
    """The terms in force from `effective_from` until the next version."""

    effective_from: date
    fees: Fees = Fees()
    at_risk_percent: Percent = Field(default=Decimal(0), ge=0, le=100)
    pool_percent_available: Percent | None = Field(default=None, gt=0)
    rolling_cap: RollingCap | None = None
    expected_defaults: ExpectedDefaults | None = None
    bonus: BonusRules = BonusRules()
    chronic_failure: Chronic | None = None
    categories: tuple[Category, ...] = ()
    key_measurements: tuple[ServiceLevel, ...] = ()
    volume_share: VolumeShare | None = Field(
        default=None,
        description="Percent of the client's volume on the queues the partner serves: {min: 20, max: 60}.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Version:
        problems = _version_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def critical_levels(self) -> list[tuple[Category, ServiceLevel]]:
        return [(category, level) for category in self.categories for level in category.levels]

    @property
    def all_levels(self) -> list[ServiceLevel]:
        return [level for _, level in self.critical_levels] + list(self.key_measurements)


def _day_or_moment(value: object) -> object:
    """`2026-10-27` is a whole local day; `2026-10-27 09:30` an instant (pydantic would read both as either)."""
    if isinstance(value, str) and len(value.strip()) <= len("2026-10-27"):
        return date.fromisoformat(value.strip())
    if isinstance(value, str):
        moment = datetime.fromisoformat(value.strip())
        if moment.tzinfo is not None:
            raise ValueError("write the local time in the reporting time zone, without a UTC offset")
        return moment
    return value


DayOrMoment = Annotated[datetime | date, BeforeValidator(_day_or_moment)]


class Exclusion(Strict):
    """Time taken out of measurement: force majeure or an incident the client caused."""

    start: DayOrMoment = Field(alias="from")
    end: DayOrMoment = Field(alias="to", description="Inclusive for dates, exclusive for times.")
    kind: Literal["force_majeure", "client_caused"]
    reason: str = Field(min_length=3)
    levels: tuple[str, ...] = Field(default=(), description="Service level ids; empty means every level.")

    @model_validator(mode="after")
    def _ordered(self) -> Exclusion:
        if type(self.start) is not type(self.end):
            raise ValueError("write `from` and `to` both as dates or both as date and time")
        if self.end < self.start:
            raise ValueError("`to` is before `from`")
        return self


class ContractFile(Strict):
    """One outsourcing contract: its vendor and its versions by effective date."""

    contract: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    vendor: str
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    versions: tuple[Version, ...] = Field(min_length=1)
    exclusions: tuple[Exclusion, ...] = ()

    @model_validator(mode="after")
    def _ordered_versions(self) -> ContractFile:
        dates = [version.effective_from for version in self.versions]
        if dates != sorted(set(dates)):
            raise ValueError("versions must be in order of effective_from, each date once")
        return self


def _version_problems(version: Version) -> list[str]:
    problems = []
    if version.effective_from.day != 1:
        problems.append("effective_from must be the first day of a month (credits are settled monthly)")
    ids = [level.id for level in version.all_levels]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        problems.append(f"service level ids used twice: {', '.join(repeated)}")
    pools = sum((category.pool_percent for category in version.categories), Decimal(0))
    if version.pool_percent_available is not None and pools > version.pool_percent_available:
        problems.append(f"category pools add up to {pools}%, above pool_percent_available")
    if version.categories and not version.at_risk_percent:
        problems.append("critical service levels need at_risk_percent above 0")
    for level in version.key_measurements:
        if level.allocation_percent or level.credit != Credit() or level.earnback or level.bonus:
            problems.append(
                f"{level.id}: key measurements carry no money: no credit, bonus or earnback "
                "(move it into a category to promote it)"
            )
    return problems


def contract_schema() -> str:
    """The JSON Schema of a contract file, for editors (yaml-language-server) and docs."""
    import json

    schema = ContractFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Steward contract"
    return json.dumps(schema, indent=2, sort_keys=True)
