"""The demo company's three BPO contracts: one partner clearly missing, one near the line, one well clear."""

from __future__ import annotations

SCHEMA_LINE = "# yaml-language-server: $schema=./contract.schema.json\n"

SUNRISE = """\
# Sunrise handles overflow from Cape Town. Its service levels are far from the targets.
contract: sunrise-overflow
vendor: sunrise
currency: EUR
versions:
  - effective_from: 2025-11-01
    fees:
      monthly_fixed: 8000
      per_productive_hour: 17.50
    at_risk_percent: 12
    volume_share: {min: 15, max: 30}
    rolling_cap: {percent: 10, periods: 12}
    chronic_failure: {within: 6, misses: 3, at_cap: 3}
    categories:
      - name: responsiveness
        pool_percent: 100
        levels:
          - id: phone_service_level
            metric: service_level
            variant: abandons_missed
            scope: {channels: [phone]}
            expected: 80
            minimum: 70
            min_sample: 300
            allocation_percent: 50
            outcome: Callers reach a person within 20 seconds
          - id: email_first_response
            metric: frt_business_p90
            scope: {channels: [email]}
            expected: 240
            minimum: 360
            min_sample: 200
            allocation_percent: 50
            outcome: Customers hear back within half a business day
      - name: customer experience
        pool_percent: 60
        levels:
          - id: csat
            metric: csat_top2
            expected: 80
            minimum: 70
            min_sample: 100
            allocation_percent: 100
            credit: {rule: proportional}
            outcome: Customers leave satisfied
    key_measurements:
      - {id: nps, metric: nps, expected: 20, outcome: Customers recommend the brand}
exclusions:
  - from: 2026-10-27
    to: 2026-10-28
    kind: force_majeure
    reason: Grid outage closed the Cape Town site (load shedding stage 6)
    levels: [phone_service_level]
"""

NORTHWIND = """\
# Northwind in Manila runs the main queues. It works close to its targets.
contract: northwind-main
vendor: northwind
currency: EUR
versions:
  - effective_from: 2025-11-01
    fees:
      monthly_fixed: 15000
      volume_tiers:
        mode: graduated
        tiers:
          - {up_to: 10000, price: 2.60}
          - {up_to: null, price: 2.20}
    at_risk_percent: 10
    volume_share: {min: 30, max: 55}
    expected_defaults: {misses: 4, within: 12}
    bonus: {cap_percent: 2, settlement: offset_only}
    chronic_failure: {within: 6, misses: 3}
    categories:
      - name: responsiveness
        pool_percent: 60
        levels:
          - id: phone_service_level
            metric: service_level
            scope: {channels: [phone]}
            expected: 65
            minimum: 60
            min_sample: 300
            allocation_percent: 60
            earnback: {periods: 3}
            outcome: Callers reach a person within 20 seconds
          - id: email_first_response
            metric: frt_business_p90
            scope: {channels: [email]}
            expected: 290
            minimum: 330
            min_sample: 200
            allocation_percent: 40
            earnback: {periods: 3}
            outcome: Customers hear back within half a business day
      - name: customer experience
        pool_percent: 60
        levels:
          - id: csat
            metric: csat_top2
            expected: 70
            minimum: 65
            min_sample: 100
            allocation_percent: 60
            bonus: {threshold: 75, amount: 1500}
            outcome: Customers leave satisfied
          - id: abandon_rate
            metric: abandon_rate
            scope: {channels: [phone]}
            expected: 5.5
            minimum: 7
            min_sample: 300
            allocation_percent: 40
            outcome: Few callers give up waiting
    key_measurements:
      - {id: fcr, metric: fcr, expected: 75, outcome: Problems are solved at the first contact}
      - {id: nps, metric: nps, expected: 20, outcome: Customers recommend the brand}
"""

BLUECREST = """\
# Bluecrest in Kraków handles the premium queues, comfortably inside its targets.
contract: bluecrest-premium
vendor: bluecrest
currency: EUR
versions:
  - effective_from: 2025-11-01
    fees:
      monthly_fixed: 12000
      per_handled_contact: 3.40
    at_risk_percent: 8
    volume_share: {min: 25, max: 50}
    bonus: {cap_percent: 3, settlement: net}
    categories:
      - name: responsiveness
        pool_percent: 70
        levels:
          - id: phone_service_level
            metric: service_level
            scope: {channels: [phone]}
            expected: 80
            minimum: 75
            min_sample: 300
            allocation_percent: 50
            ratchet: {after_periods: 6, fraction: 0.5, max_step_percent: 20}
            outcome: Callers reach a person within 20 seconds
          - id: email_first_response
            metric: frt_business_p90
            scope: {channels: [email]}
            expected: 180
            minimum: 240
            min_sample: 200
            allocation_percent: 50
            outcome: Customers hear back within a few business hours
      - name: customer experience
        pool_percent: 50
        levels:
          - id: csat
            metric: csat_top2
            expected: 90
            minimum: 85
            min_sample: 100
            allocation_percent: 70
            bonus: {threshold: 94, percent_of_charges: 1}
            outcome: Customers leave delighted
          - id: fcr_quarter
            metric: fcr
            window: quarter
            expected: 78
            minimum: 74
            min_sample: 1000
            allocation_percent: 30
            outcome: Problems are solved at the first contact
    key_measurements:
      - {id: nps, metric: nps, expected: 60, outcome: Customers recommend the brand}
"""

DEMO_CONTRACTS = {"sunrise": SUNRISE, "northwind": NORTHWIND, "bluecrest": BLUECREST}
