"""Contract files: what loads, and every mistake reported with file:line (steward contract check)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.definitions.contracts import load_contracts, period_terms
from steward.definitions.metrics import load_catalogue
from steward.domain.contract_terms import CreditRule
from steward.services.demo_contracts import DEMO_CONTRACTS

CATALOGUE = load_catalogue()
VENDORS = ("northwind", "bluecrest", "sunrise")
MINIMAL = """\
contract: acme-1
vendor: northwind
versions:
  - effective_from: 2026-01-01
    at_risk_percent: 10
    categories:
      - name: speed
        pool_percent: 50
        levels:
          - id: sl
            metric: service_level
            expected: 80
            minimum: 70
            allocation_percent: 40
"""


def load(tmp_path: Path, text: str, name: str = "contract.yaml") -> tuple[list[str], object]:
    folder = tmp_path / "contracts"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    book = load_contracts(folder, CATALOGUE, VENDORS)
    return [str(issue) for issue in book.issues], book


def test_demo_contracts_load_and_convert_to_terms(tmp_path: Path) -> None:
    for vendor, text in DEMO_CONTRACTS.items():
        load(tmp_path, text, f"{vendor}.yaml")
    issues, book = load(tmp_path, DEMO_CONTRACTS["sunrise"], "sunrise.yaml")
    assert issues == []
    sunrise = book.for_vendor("sunrise")  # type: ignore[attr-defined]
    version = sunrise.version_for(sunrise.starts)
    terms = period_terms(sunrise, version, CATALOGUE, charges=__import__("decimal").Decimal("1000"))
    assert [level.id for level in terms.levels] == ["phone_service_level", "email_first_response", "csat", "nps"]
    assert terms.levels[1].better == "lower"  # from the metric: first response time
    assert terms.levels[2].rule is CreditRule.PROPORTIONAL
    assert not terms.levels[3].critical
    assert sunrise.version_for(sunrise.starts.replace(year=2020)) is None


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("metric: service_level", "metric: service_levle"), 11, "unknown metric 'service_levle'"),
        (("allocation_percent: 40", "allocation_percent: 140"), 14, "less than or equal to 100"),
        (("minimum: 70", "minimum: 90"), 13, "minimum 90 is stricter than expected 80"),
        (("expected: 80", "expceted: 80"), 12, "did you mean 'expected'"),
        (("effective_from: 2026-01-01", "effective_from: 2026-01-15"), 4, "first day of a month"),
        (("vendor: northwind", "vendor: southwind"), 2, "unknown vendor 'southwind'"),
        (
            ("            expected: 80", "            variant: abandons_excluded\n            expected: 80"),
            12,
            "pinned",
        ),
        (("at_risk_percent: 10", "at_risk_percent: ten"), 5, "at_risk_percent"),
        (("metric: service_level", "metric: churn_rate"), 11, "cannot measure one partner"),
        (
            ("    categories:", "    fees: {volume_tiers: {tiers: [{up_to: 100, price: 2}]}}\n    categories:"),
            6,
            "leave its",
        ),
    ],
)
def test_each_mistake_is_reported_at_its_line(tmp_path: Path, change: tuple[str, str], line: int, message: str) -> None:
    issues, _ = load(tmp_path, MINIMAL.replace(*change))
    assert issues, "expected a problem"
    assert any(f"contract.yaml:{line}:" in issue and message in issue for issue in issues), issues


def test_cross_level_rules(tmp_path: Path) -> None:
    two_levels = MINIMAL + (
        "          - {id: sl, metric: aht, expected: 300, allocation_percent: 70, credit: {rule: proportional}}\n"
    )
    issues, _ = load(tmp_path, two_levels)
    assert any("contract.yaml:7:" in issue and "add up to 110" in issue for issue in issues), issues
    issues, _ = load(tmp_path, two_levels.replace("allocation_percent: 70", "allocation_percent: 60"))
    assert any("service level ids used twice: sl" in issue for issue in issues), issues
    proportional = MINIMAL.replace("metric: service_level", "metric: aht").replace("minimum: 70", "minimum: 90")
    issues, _ = load(tmp_path, proportional.replace("allocation_percent: 40", "credit: {rule: proportional}"))
    assert any("proportional rule needs a percent metric" in issue for issue in issues), issues


def test_versions_exclusions_and_clashes(tmp_path: Path) -> None:
    later = MINIMAL.replace("versions:\n", "versions:\n  - {effective_from: 2026-06-01, at_risk_percent: 5}\n")
    issues, _ = load(tmp_path, later)
    assert any("order of effective_from" in issue for issue in issues), issues
    excluded = MINIMAL + "exclusions:\n  - {from: 2026-03-02, to: 2026-03-01, kind: force_majeure, reason: storm}\n"
    issues, _ = load(tmp_path, excluded)
    assert any("contract.yaml:16:" in issue and "`to` is before `from`" in issue for issue in issues), issues
    unknown_level = MINIMAL + "exclusions:\n  - {from: 2026-03-01, to: 2026-03-02, kind: client_caused, "
    issues, _ = load(tmp_path, unknown_level + "reason: CRM outage, levels: [nope]}\n")
    assert any("no service level 'nope'" in issue for issue in issues), issues
    load(tmp_path, MINIMAL, "a.yaml")
    issues, _ = load(tmp_path, MINIMAL.replace("acme-1", "acme-2"), "b.yaml")
    assert any("one contract per vendor" in issue for issue in issues), issues


def test_the_example_in_the_docs_is_a_valid_contract(tmp_path: Path) -> None:
    page = (Path(__file__).parents[1] / "docs" / "contracts.md").read_text(encoding="utf-8")
    example = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    issues, book = load(tmp_path, example)
    assert issues == [] and len(book.contracts) == 1  # type: ignore[attr-defined]


def test_exclusions_need_local_times_and_measurable_levels(tmp_path: Path) -> None:
    offset = (
        MINIMAL
        + "exclusions:\n  - {from: '2026-01-05T09:00+02:00', to: '2026-01-05 13:00',"
        + " kind: client_caused, reason: CRM}\n"
    )
    issues, _ = load(tmp_path, offset)
    assert any("contract.yaml:16:" in issue and "without a UTC offset" in issue for issue in issues), issues
    backlog = MINIMAL.replace("metric: service_level", "metric: backlog").replace("minimum: 70", "minimum: 90")
    issues, _ = load(
        tmp_path, backlog + "exclusions:\n  - {from: 2026-03-01, to: 2026-03-02, kind: force_majeure, reason: storm}\n"
    )
    assert any("contract.yaml:16:" in issue and "sl measure a snapshot" in issue for issue in issues), issues
    key_bonus = (
        MINIMAL
        + "    key_measurements:\n      - {id: nps, metric: nps, expected: 20, bonus: {threshold: 30, amount: 5000}}\n"
    )
    issues, _ = load(tmp_path, key_bonus)
    assert any("nps: key measurements carry no money" in issue for issue in issues), issues


def test_a_comment_only_file_is_skipped_and_broken_yaml_is_located(tmp_path: Path) -> None:
    issues, book = load(tmp_path, "# nothing here yet\n", "example.yaml")
    assert issues == [] and book.contracts == ()  # type: ignore[attr-defined]
    issues, _ = load(tmp_path, "contract: [unclosed\n", "broken.yaml")
    assert any("broken.yaml:" in issue and "invalid YAML" in issue for issue in issues), issues


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
contract_keys = st.sampled_from(
    ["contract", "vendor", "versions", "categories", "levels", "metric", "expected", "exclusions", "from", "fees"]
)
shaped = st.dictionaries(contract_keys, yaml_values, max_size=6)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.one_of(shaped, yaml_values))
def test_validation_never_crashes_on_malformed_contracts(tmp_path: Path, document: object) -> None:
    issues, book = load(tmp_path, yaml.safe_dump(document, allow_unicode=True))
    assert issues or book.contracts or document is None  # type: ignore[attr-defined]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_validation_never_crashes_on_arbitrary_text(tmp_path: Path, text: str) -> None:
    load(tmp_path, text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=len(MINIMAL)), junk=st.sampled_from(["", ":", "- ", "{", "\t", "]"]))
def test_validation_never_crashes_on_a_damaged_valid_file(tmp_path: Path, cut: int, junk: str) -> None:
    load(tmp_path, MINIMAL[:cut] + junk + MINIMAL[cut:])


def test_a_key_measurement_is_promoted_in_a_later_version(tmp_path: Path) -> None:
    from decimal import Decimal

    promoted = MINIMAL + (
        "    key_measurements:\n"
        "      - {id: nps, metric: nps, expected: 20}\n"
        "  - effective_from: 2026-07-01\n"
        "    at_risk_percent: 10\n"
        "    categories:\n"
        "      - name: loyalty\n"
        "        pool_percent: 100\n"
        "        levels:\n"
        "          - {id: nps, metric: nps, expected: 20, allocation_percent: 30}\n"
    )
    issues, book = load(tmp_path, promoted)
    assert issues == []
    contract = book.contracts[0]  # type: ignore[attr-defined]
    before = period_terms(contract, contract.version_for(date(2026, 6, 1)), CATALOGUE, Decimal(1000))
    after = period_terms(contract, contract.version_for(date(2026, 7, 1)), CATALOGUE, Decimal(1000))
    assert [(t.id, t.critical) for t in before.levels] == [("sl", True), ("nps", False)]
    assert [(t.id, t.critical, t.allocation_percent) for t in after.levels] == [("nps", True, Decimal(30))]
    assert after.version == "acme-1@2026-07-01"
