"""The synthetic year behaves like a real support operation, deterministically."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow.parquet as pq
import pytest
import yaml

from steward.domain.canonical import TABLES
from steward.services.generation import DEFAULT_VENDORS, generate
from steward.services.generation.profiles import OPEN_HOURS

ROWS = 30_000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    generate(folder, interactions=ROWS, seed=11, file_format="parquet")
    return folder


@pytest.fixture(scope="module")
def db(generated: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for table in TABLES:
        if (generated / f"{table}.parquet").exists():
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{generated / f'{table}.parquet'}')")
    yield con
    con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    row = con.execute(sql).fetchone()
    assert row is not None
    return float(row[0])


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", interactions=2_000, seed=3, file_format="parquet")
    again = generate(tmp_path / "b", interactions=2_000, seed=3, file_format="parquet")
    other = generate(tmp_path / "c", interactions=2_000, seed=4, file_format="parquet")
    for table in first.files:
        assert pq.read_table(first.files[table]).equals(pq.read_table(again.files[table])), table
    assert not pq.read_table(first.files["interactions"]).equals(pq.read_table(other.files["interactions"]))


def test_size_limits_are_enforced(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="between 1,000 and 10,000,000"):
        generate(tmp_path, interactions=999)


def test_columns_are_the_canonical_ones_with_required_values(generated: Path, db: duckdb.DuckDBPyConnection) -> None:
    for name, table in TABLES.items():
        path = generated / f"{name}.parquet"
        if not path.exists():
            continue
        assert set(pq.read_schema(path).names) <= set(table.column_names), name
        for column in table.required:
            assert scalar(db, f'SELECT count(*) FROM {name} WHERE "{column}" IS NULL') == 0, (name, column)
        for column in table.columns:
            if column.allowed:
                allowed = ", ".join(f"'{v}'" for v in column.allowed)
                bad = f'SELECT count(*) FROM {name} WHERE CAST("{column.name}" AS VARCHAR) NOT IN ({allowed})'
                assert scalar(db, bad) == 0, (name, column.name)


def test_time_order_and_ranges_hold(db: duckdb.DuckDBPyConnection) -> None:
    for rule in TABLES["interactions"].time_order:
        assert scalar(db, f"SELECT count(*) FROM interactions WHERE {rule.later} < {rule.earlier}") == 0
    assert scalar(db, "SELECT count(*) FROM interactions WHERE csat NOT BETWEEN 1 AND 5") == 0
    assert scalar(db, "SELECT count(*) FROM interactions WHERE nps NOT BETWEEN 0 AND 10") == 0
    assert scalar(db, "SELECT count(*) FROM agent_states WHERE end_at <= start_at") == 0
    assert scalar(db, "SELECT count(*) FROM schedules WHERE end_at <= start_at") == 0


def test_abandons_only_on_phone_and_handle_time_adds_up(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, "SELECT count(*) FROM interactions WHERE abandoned AND channel <> 'phone'") == 0
    assert scalar(db, "SELECT count(*) FROM interactions WHERE abandoned AND first_response_at IS NOT NULL") == 0
    talk_hold_wrap = "abs(handle_seconds - talk_seconds - hold_seconds - wrap_seconds)"
    assert scalar(db, f"SELECT count(*) FROM interactions WHERE channel = 'phone' AND {talk_hold_wrap} > 0.001") == 0
    assert scalar(db, "SELECT count(*) FROM interactions WHERE channel = 'phone' AND handle_seconds > 0") > 0


def test_vendors_differ_the_way_their_profiles_say(db: duckdb.DuckDBPyConnection) -> None:
    def per_vendor(expression: str) -> dict[str, float]:
        rows = db.execute(f"SELECT vendor, {expression} FROM interactions GROUP BY vendor").fetchall()
        return {str(vendor): float(value) for vendor, value in rows}

    repeats = per_vendor(
        "avg(CASE WHEN EXISTS (SELECT 1 FROM interactions j WHERE j.customer_id = interactions.customer_id "
        "AND j.contact_reason = interactions.contact_reason AND j.created_at > interactions.created_at "
        "AND j.created_at <= interactions.created_at + INTERVAL 7 DAY) THEN 1 ELSE 0 END)"
    )
    assert repeats["sunrise"] > 1.5 * repeats["bluecrest"]
    top2 = per_vendor("avg(CASE WHEN csat >= 4 THEN 1.0 WHEN csat IS NOT NULL THEN 0.0 END)")
    assert top2["bluecrest"] > top2["acme-inhouse"] > top2["northwind"] > top2["sunrise"]
    abandon = per_vendor("avg(CASE WHEN channel = 'phone' THEN abandoned::INT END)")
    assert abandon["sunrise"] > 2 * abandon["bluecrest"]
    shares = per_vendor(f"count(*) / {ROWS}")
    for vendor in DEFAULT_VENDORS:
        assert shares[vendor.name] == pytest.approx(vendor.share, abs=0.03)


def test_demand_has_weekly_yearly_holiday_and_spike_shape(db: duckdb.DuckDBPyConnection) -> None:
    per_day = "SELECT created_at::DATE AS day, count(*) AS n FROM interactions GROUP BY 1"
    weekday = scalar(db, f"SELECT avg(n) FROM ({per_day}) WHERE dayofweek(day) BETWEEN 1 AND 5")
    weekend = scalar(db, f"SELECT avg(n) FROM ({per_day}) WHERE dayofweek(day) IN (0, 6)")
    assert weekend < 0.7 * weekday
    december = scalar(db, "SELECT count(*) FROM interactions WHERE month(created_at) = 12")
    august = scalar(db, "SELECT count(*) FROM interactions WHERE month(created_at) = 8")
    assert december > 1.25 * august
    christmas = scalar(db, f"SELECT n FROM ({per_day}) WHERE day = DATE '2025-12-25'")
    assert christmas < 0.6 * weekday
    busiest = scalar(db, f"SELECT max(n) FROM ({per_day})")
    assert busiest > 1.8 * weekday
    night = scalar(db, "SELECT count(*) FROM interactions WHERE hour(created_at) BETWEEN 0 AND 3")
    late_morning = scalar(db, "SELECT count(*) FROM interactions WHERE hour(created_at) BETWEEN 9 AND 12")
    assert late_morning > 5 * night


def test_forecasts_track_demand_with_each_partners_bias(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute("SELECT vendor, sum(volume) FROM forecasts GROUP BY vendor").fetchall()
    forecast = {str(v): float(total) for v, total in rows}
    actual = {
        str(v): float(n) for v, n in db.execute("SELECT vendor, count(*) FROM interactions GROUP BY vendor").fetchall()
    }
    assert set(forecast) == {"northwind", "bluecrest", "sunrise"}
    assert forecast["bluecrest"] / actual["bluecrest"] == pytest.approx(1.0, abs=0.08)
    assert forecast["sunrise"] / actual["sunrise"] < 0.9  # sunrise under-forecasts
    duplicates = scalar(db, "SELECT count(*) - count(DISTINCT (vendor, queue, interval_start)) FROM forecasts")
    assert duplicates == 0


def test_orders_come_from_the_same_customers(db: duckdb.DuckDBPyConnection) -> None:
    shared = scalar(db, "SELECT count(DISTINCT o.customer_id) FROM orders o JOIN interactions i USING (customer_id)")
    assert shared > 1_000
    assert scalar(db, "SELECT count(*) - count(DISTINCT order_id) FROM orders") == 0
    repeat_buyers = scalar(db, "SELECT count(*) FROM (SELECT customer_id FROM orders GROUP BY 1 HAVING count(*) > 1)")
    assert repeat_buyers > 500


def test_csv_and_parquet_hold_the_same_interactions(tmp_path: Path) -> None:
    parquet = generate(tmp_path / "p", interactions=1_000, seed=5, file_format="parquet")
    csv = generate(tmp_path / "c", interactions=1_000, seed=5, file_format="csv")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    left = con.execute(
        f"SELECT interaction_id, vendor, epoch(created_at)::BIGINT, csat, abandoned "
        f"FROM read_parquet('{parquet.files['interactions']}') ORDER BY 1"
    ).fetchall()
    right = con.execute(
        f"SELECT interaction_id, vendor, epoch(strptime(created_at, '%Y-%m-%dT%H:%M:%SZ'))::BIGINT, csat, abandoned "
        f"FROM read_csv('{csv.files['interactions']}', all_varchar = true, header = true) ORDER BY 1"
    ).fetchall()
    normalised = [
        (a, b, c, int(d) if d else None, {"true": True, "false": False}.get(e or "")) for a, b, c, d, e in right
    ]
    assert left == normalised
    assert csv.start == date(2025, 11, 1)


def test_ticket_histories_agree_with_their_interactions(db: duckdb.DuckDBPyConnection) -> None:
    # The first agent reply is the ticket's first response and its last solve is resolved_at,
    # so clocks from events and from columns agree; customers write back in between.
    disagreements = scalar(
        db,
        """
        WITH h AS (
          SELECT interaction_id,
                 min("at") FILTER (WHERE kind = 'agent_reply') AS first_reply,
                 max("at") FILTER (WHERE kind = 'status' AND value = 'solved') AS last_solve,
                 count(*) FILTER (WHERE kind = 'customer_message') AS messages
          FROM interaction_events GROUP BY 1)
        SELECT count(*) FROM h JOIN interactions i USING (interaction_id)
        WHERE h.first_reply IS DISTINCT FROM i.first_response_at
           OR h.last_solve IS DISTINCT FROM i.resolved_at
        """,
    )
    assert disagreements == 0
    assert scalar(db, "SELECT count(DISTINCT interaction_id) FROM interaction_events") > 0
    assert scalar(db, "SELECT count(*) FROM interaction_events WHERE kind = 'customer_message'") > 0
    assert scalar(db, "SELECT count(*) FROM interaction_events WHERE value = 'pending'") > 0


def test_rosters_work_inside_each_vendors_hours_and_cover_saturdays(db: duckdb.DuckDBPyConnection) -> None:
    from steward.services.demo import calendar_yaml

    written = {v.kind: yaml.safe_load(calendar_yaml(v))["hours"] for v in DEFAULT_VENDORS}
    assert written == OPEN_HOURS  # the calendars the demo writes are the hours rosters are planned for
    # A shift starts with a block no other block of the agent ends at; its blocks last 8 hours.
    rows = db.execute(
        "SELECT vendor, start_at, start_at + INTERVAL 8 HOUR, (SELECT max(end_at) FROM schedules b "
        "WHERE b.agent_id = s.agent_id AND b.start_at >= s.start_at AND b.start_at < s.start_at + INTERVAL 9 HOUR) "
        "FROM schedules s WHERE NOT EXISTS (SELECT 1 FROM schedules p WHERE p.agent_id = s.agent_id "
        "AND p.end_at = s.start_at)"
    )
    found: dict[str, list[tuple[datetime, datetime]]] = {}
    for vendor, start, end, last in rows.fetchall():
        assert last == end
        found.setdefault(vendor, []).append((start, end))
    for vendor in DEFAULT_VENDORS:
        zone = ZoneInfo(vendor.timezone)
        local = [(s.astimezone(zone), e.astimezone(zone)) for s, e in found[vendor.name]]
        starts = {s.time() for s, _ in local}
        days = {s.weekday() for s, _ in local}
        if vendor.kind == "bpo":
            assert days == {0, 1, 2, 3, 4, 5} and len(starts) >= 4
            assert all(time(7) <= s.time() and e.time() <= time(22) for s, e in local if s.weekday() < 5)
            assert all((s.time(), e.time()) == (time(9), time(17)) for s, e in local if s.weekday() == 5)
        else:
            assert days == {0, 1, 2, 3, 4}
            assert all(time(8) <= s.time() and e.time() <= time(18) for s, e in local)


def test_sunrise_rosters_fewer_agents_than_its_plan_needs() -> None:
    from steward.services.generation.rosters import plan_roster

    sunrise = next(v for v in DEFAULT_VENDORS if v.name == "sunrise")
    assert sunrise.roster_factor < 1
    assert plan_roster(sunrise, 500_000).size < plan_roster(replace(sunrise, roster_factor=1.0), 500_000).size


def test_agents_take_breaks_in_turns_so_cover_never_collapses(db: duckdb.DuckDBPyConnection) -> None:
    # Every Saturday shift starts at 09:00: with one break pattern all agents trained at 15:00 together.
    # Probing at each break's start suffices: that is when the number off work can grow.
    collapsed = scalar(
        db,
        """
        WITH probe AS (SELECT DISTINCT vendor, start_at AS t FROM schedules WHERE activity <> 'work'),
        here AS (
          SELECT p.vendor, p.t, count(*) AS present, count(*) FILTER (WHERE s.activity = 'work') AS working
          FROM probe p JOIN schedules s ON s.vendor = p.vendor AND s.start_at <= p.t AND s.end_at > p.t
          GROUP BY 1, 2)
        SELECT count(*) FROM here WHERE present >= 2 AND working = 0
        """,
    )
    assert collapsed == 0
    # The patterns take turns: of four agents on shift, at most one is off at any moment.
    worst = scalar(
        db,
        """
        WITH probe AS (SELECT DISTINCT vendor, start_at AS t FROM schedules WHERE activity <> 'work'),
        here AS (
          SELECT count(*) AS present, count(*) FILTER (WHERE s.activity <> 'work') AS away
          FROM probe p JOIN schedules s ON s.vendor = p.vendor AND s.start_at <= p.t AND s.end_at > p.t
          GROUP BY p.vendor, p.t)
        SELECT max(away / present) FROM here WHERE present >= 4
        """,
    )
    assert worst <= 0.5


def test_follow_ups_after_the_data_ends_are_not_piled_onto_its_last_second(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, "SELECT count(*) FROM interactions") == ROWS  # the count asked for
    busiest = scalar(db, "SELECT max(n) FROM (SELECT count(*) AS n FROM interactions GROUP BY created_at)")
    last = scalar(db, "SELECT count(*) FROM interactions WHERE created_at = (SELECT max(created_at) FROM interactions)")
    assert busiest <= 3 and last <= 3
