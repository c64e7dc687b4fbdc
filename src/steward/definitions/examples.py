"""Commented starting points that `steward init` writes into definitions/."""

VENDORS_EXAMPLE = """\
# Vendors: the in-house team and each BPO partner whose work Steward measures.
# `name` is the value of the `vendor` column in imported data (see docs/data-format.md).
# Partners who log in see only the rows of their own vendor.
vendors: []
#  - name: acme-inhouse
#    kind: in_house          # in_house | bpo
#    sites: [berlin-hq]
#    timezone: Europe/Berlin
#    languages: [de, en]
#  - name: northwind
#    kind: bpo
#    sites: [manila-1]
#    timezone: Asia/Manila
#    languages: [en]
#    calendar: example       # business calendar from definitions/calendars/
"""

CALENDAR_EXAMPLE = """\
# A business calendar: when the clock of business-hours metrics runs (docs/metrics.md#calendars).
# Remove the leading '# ' from the lines below to use it; every *.yaml file here is one calendar.
# Time zone and hours are the vendor's or queue's local time; daylight-saving changes are handled.
# name: example
# timezone: Europe/London
# hours:                          # several intervals per day are allowed (lunch breaks, split shifts)
#   mon-fri: ["08:00-12:00", "13:00-18:00"]
#   sat: ["09:00-13:00"]
# holidays:
#   country: GB                   # public holidays from the `holidays` package
#   subdivision: ENG
#   extra: ["2026-12-24"]         # company closures
# applies_to:
#   queues: [billing, orders]     # or vendors: [...]; one calendar may be the default
"""

COSTS_EXAMPLE = """\
# Spend per month on keeping and on winning customers, for retention_cost_ratio (docs/metrics.md#customers).
# A month's spend is spread evenly over its days; a period touching a month not listed here has no value.
costs: []
#  - month: 2026-01            # YYYY-MM, months of the reporting time zone
#    retention_spend: 12000    # spent on keeping existing customers
#    acquisition_spend: 30000  # spent on winning new ones
#    currency: EUR             # ISO 4217; the same for every month
"""

CONTRACT_EXAMPLE = """\
# yaml-language-server: $schema=./contract.schema.json
# A contract as code (docs/contracts.md). Remove the leading '# ' to use it; one file per contract.
# Percentages are written in percent (10 = 10%); amounts in the contract's currency.
# contract: northwind-2026
# vendor: northwind                   # a vendor from vendors.yaml
# currency: EUR
# versions:
#   - effective_from: 2026-01-01      # first day of a month; a later version replaces it from its date
#     fees: {monthly_fixed: 20000, per_handled_contact: 2.10}
#     at_risk_percent: 10             # credits in a month never exceed 10% of its charges
#     rolling_cap: {percent: 8, periods: 12}
#     chronic_failure: {within: 6, misses: 3, at_cap: 2}
#     categories:
#       - name: responsiveness
#         pool_percent: 60            # share of the at-risk amount for this category
#         levels:
#           - id: email_first_response
#             metric: frt_business_p90
#             scope: {channels: [email]}
#             expected: 240           # minutes, business time
#             minimum: 360
#             min_sample: 200
#             allocation_percent: 50  # credit = at-risk x 60% x 50%
#             earnback: {periods: 3}
#             outcome: Customers hear back within half a business day
#     key_measurements:               # reported, no money; move into a category to promote
#       - {id: nps, metric: nps, expected: 30, outcome: Customers recommend us}
# exclusions:
#   - {from: 2026-03-10, to: 2026-03-11, kind: force_majeure, reason: Typhoon closed the Manila site}
"""

AUTOQA_EXAMPLE = """\
# An AutoQA ruleset (docs/qa.md#autoqa): checks `steward qa autoqa` runs over stored transcripts.
# Remove the leading '# ' to use it; every *.yaml file here is one ruleset.
# ruleset: chat-basics
# name: Chat and e-mail basics
# applies_to: {channels: [chat, email]}    # optional: channels, vendors, queues
# rules:
#   - {id: greeting, kind: required, phrases: [hello, hi, good morning], where: first_agent_turn}
#   - {id: closing, kind: required, phrases: [anything else, have a nice day], where: last_agent_turn}
#   - {id: recording_disclosure, kind: required, phrases: [this conversation is recorded]}
#   - {id: no_blame, kind: prohibited, phrases: [not my problem, calm down]}
#   - {id: card_numbers, kind: card_numbers}        # a failure is a critical failure of the evaluation
#   - {id: personal_data, kind: personal_data}      # e-mail, IBAN or phone in an agent turn; critical too
#   - {id: reply_within_2_min, kind: response_time, max_seconds: 120}
"""
