"""Business calendars, the engine's slot table and reporting periods, against hand-computed values."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import ibis
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.definitions.calendars import CalendarDefinition, load_calendars, parse_window, weekdays
from steward.domain.calendar import BusinessCalendar, Window, always_open
from steward.engine import business_time
from steward.engine.periods import Periods, utc_offsets

LONDON = CalendarDefinition(
    name="london",
    timezone="Europe/London",
    hours={"mon-fri": ("08:00-12:00", "13:00-18:00"), "sat": ("09:00-13:00",)},
    holidays={"country": "GB", "subdivision": "ENG", "extra": ("2026-12-24",)},
)
NIGHTS = CalendarDefinition(name="nights", timezone="America/New_York", hours={"mon-sun": ("22:00-06:00",)})


def hours(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    return calendar.open_seconds(start, end) / 3600


def test_weekday_and_window_parsing() -> None:
    assert weekdays("mon-fri") == [0, 1, 2, 3, 4]
    assert weekdays("sat,sun") == [5, 6]
    assert parse_window("22:00-06:00").overnight
    assert parse_window("00:00-24:00") == Window(time(0), time(0))
    for bad in ("8-12", "08:00-08:00", "25:00-26:00", "08:60-09:00"):
        with pytest.raises(ValueError):
            parse_window(bad)
    with pytest.raises(ValueError):
        weekdays("fri-mon")


def test_weekend_lunch_break_and_dst_by_hand() -> None:
    london = LONDON.build(range(2026, 2027))
    # Fri 27 Mar 17:00 UTC = 17:00 GMT: 1 h left; Sat 09-13 local = 4 h; clocks go forward on Sunday;
    # Mon 30 Mar 08:00 BST = 07:00 UTC, so until 09:00 UTC = 2 h.  Total 7 h.
    assert hours(london, datetime(2026, 3, 27, 17), datetime(2026, 3, 30, 9)) == 7
    # Tue 3 Mar 11:30 -> 13:30 GMT spans the lunch break: 30 + 30 minutes.
    assert hours(london, datetime(2026, 3, 3, 11, 30), datetime(2026, 3, 3, 13, 30)) == 1
    # Created on a Sunday night, answered Monday 08:15 local: only the 15 minutes count.
    assert hours(london, datetime(2026, 6, 7, 21), datetime(2026, 6, 8, 7, 15)) == 0.25


def test_holidays_and_closures_stop_the_clock() -> None:
    london = LONDON.build(range(2026, 2027))
    # 24 Dec is a company closure, 25 Dec Christmas and Sat 26 Dec Boxing Day: nothing opens.
    assert hours(london, datetime(2026, 12, 24, 0), datetime(2026, 12, 27, 0)) == 0
    # Mon 28 Dec is the substitute Boxing Day holiday; Tue 29 Dec opens at 08:00 GMT.
    assert hours(london, datetime(2026, 12, 28, 0), datetime(2026, 12, 29, 9)) == 1
    # Easter Monday 6 Apr 2026 (England) is closed; Tue 7 Apr opens at 08:00 BST = 07:00 UTC.
    assert hours(london, datetime(2026, 4, 6, 0), datetime(2026, 4, 7, 8)) == 1


def test_overnight_windows_across_the_dst_change() -> None:
    nights = NIGHTS.build(range(2026, 2027))
    # New York springs forward on Sun 8 Mar 2026 at 02:00: the night of 7-8 March lasts 7 hours, not 8.
    assert hours(nights, datetime(2026, 3, 8, 0), datetime(2026, 3, 8, 12)) == 7
    # A normal night: 22:00 EDT (02:00 UTC) to 06:00 EDT (10:00 UTC) lies wholly inside 00-12 UTC.
    assert hours(nights, datetime(2026, 3, 10, 0), datetime(2026, 3, 10, 12)) == 8
    assert hours(always_open(), datetime(2026, 3, 8), datetime(2026, 3, 9)) == 24


def test_calendar_assignment_queue_then_vendor_then_default(tmp_path: Path) -> None:
    folder = tmp_path / "calendars"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        "name: billing-hours\ntimezone: UTC\nhours: {mon-fri: ['09:00-17:00']}\napplies_to: {queues: [billing]}\n"
    )
    (folder / "b.yaml").write_text(
        "name: all\ntimezone: UTC\nhours: {mon-sun: ['00:00-24:00']}\napplies_to: {default: true}\n"
    )
    (folder / "example.yaml").write_text("# name: commented out\n# timezone: UTC\n")
    (folder / "broken.yaml").write_text("name: broken\ntimezone: Mars/Olympus\nhours: {mon: ['9-5']}\n")
    calendars = load_calendars(folder, vendor_calendars=(("northwind", "billing-hours"), ("acme", "missing")))
    assert [d.name for d in calendars.definitions] == ["billing-hours", "all"]
    assert calendars.by_queue == {"billing": "billing-hours"}
    assert calendars.by_vendor == {"northwind": "billing-hours", "acme": "missing"}
    assert calendars.default == "all"
    messages = "\n".join(str(issue) for issue in calendars.issues)
    assert "broken.yaml:2" in messages and "unknown time zone" in messages and "HH:MM-HH:MM" in messages
    assert "calendar 'missing', which is not defined" in messages


def test_slot_length_is_the_longest_that_keeps_every_edge() -> None:
    london = LONDON.build(range(2026, 2027))
    start, end = datetime(2026, 1, 1), datetime(2026, 2, 1)
    assert business_time.slot_seconds(business_time.open_intervals([london], start, end)) == 3600
    half = CalendarDefinition(name="h", timezone="Asia/Kolkata", hours={"mon-fri": ("09:00-17:30",)}).build(
        range(2026, 2027)
    )
    assert business_time.slot_seconds(business_time.open_intervals([half], start, end)) == 1800


@settings(max_examples=60, deadline=None)
@given(
    st.datetimes(min_value=datetime(2026, 3, 20), max_value=datetime(2026, 4, 10)),
    st.integers(min_value=0, max_value=6 * 86400),
    st.sampled_from(["london", "nights"]),
)
def test_engine_slot_lookup_matches_the_calendar(start: datetime, seconds: int, name: str) -> None:
    definition = LONDON if name == "london" else NIGHTS
    calendar = definition.build(range(2025, 2028))
    end = start.replace(microsecond=0) + timedelta(seconds=seconds)
    start = start.replace(microsecond=0)
    backend = ibis.duckdb.connect()
    first, last = datetime(2026, 3, 1), datetime(2026, 5, 1)
    table, size = business_time.slot_table([calendar], first, last)
    backend.create_table(business_time.SLOT_TABLE, table, temp=True)
    epoch = datetime(1970, 1, 1)
    first_slot = int((first - epoch).total_seconds()) // size
    count = int((last - first).total_seconds()) // size
    plan = business_time.CalendarPlan(
        {calendar.name: 0}, 1, size, first_slot, count, backend.table(business_time.SLOT_TABLE)
    )
    rows = backend.create_table(
        "pairs",
        pa.table(
            {"s": [start], "e": [end], "cal": [0]},
            schema=pa.schema([("s", pa.timestamp("us")), ("e", pa.timestamp("us")), ("cal", pa.int64())]),
        ),
    )
    rows = business_time.business_seconds(rows, calendar="cal", start="s", stop="e", output="d", plan=plan)
    got = rows.d.execute()[0]
    assert got == calendar.open_seconds(start, end)


def test_utc_offsets_and_local_months() -> None:
    changes = utc_offsets("Europe/Berlin", datetime(2026, 1, 1), datetime(2026, 12, 31))
    assert changes == [
        (datetime(2026, 1, 1), 3600),
        (datetime(2026, 3, 29, 1), 7200),
        (datetime(2026, 10, 25, 1), 3600),
    ]
    periods = Periods("Europe/Berlin")
    assert periods.fixed_offset is None and Periods("UTC").fixed_offset == 0
    assert periods.bounds(date(2026, 2, 1), date(2026, 2, 28)) == (datetime(2026, 1, 31, 23), datetime(2026, 2, 28, 23))
    instants = [
        datetime(2026, 1, 31, 22, 59),
        datetime(2026, 1, 31, 23, 0),
        datetime(2026, 3, 31, 21, 59),
        datetime(2026, 3, 31, 22, 0),
    ]
    table = ibis.memtable(pa.table({"at": pa.array(instants, pa.timestamp("us"))}))
    months = table.select(m=periods.bucket(table.at, "month", datetime(2026, 1, 1), datetime(2026, 12, 31))).m.to_list()
    assert months == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]
    weeks = table.select(w=periods.bucket(table.at, "week", datetime(2026, 1, 1), datetime(2026, 12, 31))).w.to_list()
    assert weeks[1] == date(2026, 1, 26)  # Sunday 1 Feb 00:00 Berlin belongs to the ISO week from Monday 26 Jan
    assert periods.period_starts("quarter", date(2026, 2, 3), date(2026, 8, 1)) == [
        date(2026, 1, 1),
        date(2026, 4, 1),
        date(2026, 7, 1),
    ]


def test_a_queue_claimed_by_two_calendars_is_a_problem(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(
            f"name: {name}\ntimezone: UTC\nhours: {{mon-fri: ['09:00-17:00']}}\napplies_to: {{queues: [billing]}}\n"
        )
    issues = load_calendars(tmp_path).issues
    assert ["queue 'billing' is claimed by calendars 'a' and 'b'" in str(issue) for issue in issues] == [True]
