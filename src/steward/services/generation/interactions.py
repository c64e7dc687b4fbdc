"""Interactions for one chunk: every column drawn with numpy, per vendor and channel behaviour.

Waiting drives outcomes the way it does in real operations: slow first responses and
repeat contacts lower CSAT and NPS, long queues make callers hang up, poor vendors see
more customers come back about the same thing within days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from steward.services.generation.arrivals import Calendar, sample_arrivals
from steward.services.generation.profiles import (
    CHANNEL_SHARES,
    CHANNELS,
    PRIORITIES,
    PRIORITY_SHARES,
    QUEUES,
    VendorProfile,
)
from steward.services.generation.rosters import roster_size

SOURCE = "steward-demo"
REPEAT_WINDOW_S = 6 * 86_400


@dataclass(frozen=True)
class Population:
    """Customers the demo company has: a heavy-tailed pool, so some get in touch often."""

    size: int
    cumulative: np.ndarray

    @classmethod
    def for_volume(cls, interactions: int) -> Population:
        size = max(1_000, interactions // 3)
        weights = 1.0 / np.arange(1, size + 1) ** 0.55
        return cls(size, np.cumsum(weights / weights.sum()))

    def draw(self, count: int, rng: np.random.Generator) -> np.ndarray:
        picks = np.searchsorted(self.cumulative, rng.random(count), side="right")
        return np.asarray(np.minimum(picks, self.size - 1), dtype=np.int64)


@dataclass(frozen=True)
class Contacts:
    """Who got in touch, when, how and why: the draws every other column depends on."""

    vendor: np.ndarray
    channel: np.ndarray
    queue: np.ndarray
    reason: np.ndarray
    customer: np.ndarray
    created: np.ndarray
    is_repeat: np.ndarray
    """Coming back about an earlier contact."""
    came_back: np.ndarray
    """The customer had to come back about this one."""


def interaction_chunk(
    *,
    first_index: int,
    count: int,
    vendors: tuple[VendorProfile, ...],
    calendar: Calendar,
    population: Population,
    total: int,
    rng: np.random.Generator,
) -> pa.Table:
    """`count` interactions numbered from `first_index`."""
    vendor = rng.choice(len(vendors), size=count, p=np.array([v.share for v in vendors]))
    repeat_rate = np.array([v.repeat_rate for v in vendors])[vendor]
    # Some contacts are a customer coming back about an earlier one: same customer, queue and reason.
    base_count = round(count / (1 + repeat_rate.mean()))
    chance = repeat_rate[:base_count] / repeat_rate[:base_count].sum()
    parent = rng.choice(base_count, size=count - base_count, p=chance)
    created = sample_arrivals(calendar, count, rng)
    customer = population.draw(count, rng)
    queue = rng.choice(len(QUEUES), size=count, p=np.array([share for share, _ in QUEUES.values()]))
    reason = rng.integers(0, 4, size=count)
    channel = rng.choice(len(CHANNELS), size=count, p=np.array(CHANNEL_SHARES))
    followups = np.arange(base_count, count)
    source_rows = parent
    for column in (vendor, customer, queue, reason):
        column[followups] = column[source_rows]
    created[followups] = created[source_rows] + rng.integers(3_600, REPEAT_WINDOW_S, size=len(followups))
    is_repeat = np.zeros(count, dtype=bool)
    is_repeat[followups] = True
    came_back = np.zeros(count, dtype=bool)
    came_back[source_rows] = True
    # A follow-up due after the data ends would happen after the cut-off; clamping them piled hundreds
    # onto the year's last second (a false spike). They take the same place at the start instead, as
    # follow-ups of contacts from before the data began, which real data has and the draw lacks; the
    # count asked for and every other draw stay as they were.
    late = created >= calendar.end_epoch
    created[late] -= calendar.end_epoch - int(calendar.day_start_utc[0])
    created = np.minimum(created, calendar.end_epoch - 1)
    contacts = Contacts(vendor, channel, queue, reason, customer, created, is_repeat, came_back)
    columns = _service_times(vendors, contacts, calendar, rng)
    columns |= _satisfaction(vendors, contacts, columns, rng)
    columns |= _people(vendors, vendor, total, rng)
    return _table(first_index, vendors, contacts, columns, rng)


def _service_times(
    vendors: tuple[VendorProfile, ...], contacts: Contacts, calendar: Calendar, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    vendor, channel, created = contacts.vendor, contacts.channel, contacts.created
    count = len(vendor)
    first = np.empty(count)
    resolve = np.empty(count)
    handle = np.empty(count)
    for v, profile in enumerate(vendors):
        for c, name in enumerate(CHANNELS):
            mask = (vendor == v) & (channel == c)
            service = profile.service(name)
            n = int(mask.sum())
            first[mask] = service.first_response_s * rng.lognormal(0.0, 0.9, n)
            resolve[mask] = service.resolution_s * rng.lognormal(0.0, 0.8, n)
            handle[mask] = service.handle_s * rng.lognormal(0.0, 0.45, n)
    phone = channel == CHANNELS.index("phone")
    patience = np.array([v.patience_s for v in vendors])[vendor] * rng.exponential(1.0, count)
    abandoned = phone & (first > patience)
    wait = np.where(phone, np.where(abandoned, patience, first), np.where(channel == 1, first * 0.3, np.nan))
    never_answered = (~phone) & (rng.random(count) < 0.03)
    unresolved = rng.random(count) < 0.04 + 0.10 * ((created - calendar.day_start_utc[0]) / 3e7) ** 8
    first_at = np.where(abandoned | never_answered, np.nan, created + first)
    resolved_at = np.where(abandoned | never_answered | unresolved, np.nan, created + first + resolve)
    if_closed = resolved_at + rng.uniform(3, 5, count) * 86_400
    closed_at = np.where(if_closed < calendar.end_epoch, if_closed, np.nan)
    for values in (first_at, resolved_at, closed_at):
        values[values >= calendar.end_epoch] = np.nan  # after the export: not known yet
    resolved_at[np.isnan(first_at)] = np.nan
    closed_at[np.isnan(resolved_at)] = np.nan
    return {
        "first_at": first_at,
        "resolved_at": resolved_at,
        "closed_at": closed_at,
        "handle": handle,
        "wait": wait,
        "abandoned": abandoned,
        "phone": phone,
        "first": first,
    }


def _satisfaction(
    vendors: tuple[VendorProfile, ...], contacts: Contacts, columns: dict[str, np.ndarray], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    vendor, channel, is_repeat, came_back = contacts.vendor, contacts.channel, contacts.is_repeat, contacts.came_back
    count = len(vendor)
    typical = np.array([[v.service(c).first_response_s for c in CHANNELS] for v in vendors]).mean(axis=0)[channel]
    slowness = np.log(np.maximum(columns["first"], 1.0) / typical)
    shift = np.array([v.csat_shift for v in vendors])[vendor]
    mood = 1.0 + shift - 0.45 * slowness - 0.9 * is_repeat - 0.6 * came_back + rng.normal(0, 0.9, count)
    answered = ~np.isnan(columns["resolved_at"])
    csat = np.digitize(mood, [-1.2, -0.4, 0.3, 1.0]) + 1
    csat_answered = answered & (rng.random(count) < 0.22)
    nps = np.clip(np.round(7.2 + 1.6 * mood - 0.5 + rng.normal(0, 0.8, count)), 0, 10)
    nps_answered = answered & (rng.random(count) < 0.10)
    reopen_rate = np.array([v.reopen_rate for v in vendors])[vendor]
    reopens = np.where(answered & (rng.random(count) < reopen_rate), 1 + (rng.random(count) < 0.2), 0)
    flagged = rng.random(count) < 0.6
    resolved_first = np.where(came_back, rng.random(count) < 0.15, rng.random(count) < 0.9)
    return {
        "csat": np.where(csat_answered, csat, -1),
        "nps": np.where(nps_answered, nps, -1),
        "reopens": reopens,
        "fcr_flag": np.where(flagged & answered, resolved_first.astype(np.int8), -1),
    }


def _people(
    vendors: tuple[VendorProfile, ...], vendor: np.ndarray, total: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    sizes = np.array([roster_size(v, total) for v in vendors])
    agent = (rng.random(len(vendor)) * sizes[vendor]).astype(np.int64)
    language_pick = rng.random(len(vendor))
    return {"agent": agent, "language_pick": language_pick}


def _table(
    first_index: int,
    vendors: tuple[VendorProfile, ...],
    contacts: Contacts,
    columns: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> pa.Table:
    vendor, queue, reason, channel = contacts.vendor, contacts.queue, contacts.reason, contacts.channel
    customer, created = contacts.customer, contacts.created
    count = len(vendor)
    phone, abandoned = columns["phone"], columns["abandoned"]
    handled = ~abandoned & ~np.isnan(columns["first_at"])
    handle = np.where(handled, np.round(columns["handle"]), np.nan)
    talk = np.where(phone & handled, np.round(handle * 0.72), np.nan)
    hold = np.where(phone & handled, np.round(handle * rng.uniform(0.0, 0.12, count)), np.nan)
    wrap = np.where(phone & handled, handle - talk - hold, np.nan)
    reasons = [r for _, options in QUEUES.values() for r in options]
    status = np.select(
        [~np.isnan(columns["closed_at"]) | abandoned, ~np.isnan(columns["resolved_at"]), np.isnan(columns["first_at"])],
        [0, 1, 2],
        default=3,
    )
    replies = np.where(handled, np.where(phone, 1, 1 + rng.poisson(1.2, count)), 0)
    index = pa.array(np.arange(first_index, first_index + count))
    return pa.table(
        {
            "source": pa.repeat(pa.scalar(SOURCE), count),
            "interaction_id": pc.binary_join_element_wise("I", pc.cast(index, pa.string()), ""),
            "vendor": _labels([v.name for v in vendors], vendor),
            "site": _labels([v.site for v in vendors], vendor),
            "queue": _labels(list(QUEUES), queue),
            "channel": _labels(list(CHANNELS), channel),
            "direction": _labels(["inbound", "outbound"], (rng.random(count) >= 0.97).astype(np.int8)),
            "priority": _labels(list(PRIORITIES), rng.choice(4, size=count, p=np.array(PRIORITY_SHARES))),
            "language": _languages(vendors, vendor, columns["language_pick"]),
            "agent_id": _agent_ids([v.code for v in vendors], vendor, columns["agent"], handled),
            "customer_id": pc.binary_join_element_wise("c-", pc.cast(pa.array(customer), pa.string()), ""),
            "contact_reason": _labels(reasons, queue * 4 + reason),
            "created_at": _instants(created),
            "first_response_at": _instants(columns["first_at"]),
            "resolved_at": _instants(columns["resolved_at"]),
            "closed_at": _instants(columns["closed_at"]),
            "status": _labels(["closed", "solved", "new", "open"], status),
            "handle_seconds": _numbers(handle),
            "talk_seconds": _numbers(talk),
            "hold_seconds": _numbers(hold),
            "wrap_seconds": _numbers(wrap),
            "queue_wait_seconds": _numbers(np.round(columns["wait"])),
            "abandoned": pa.array(abandoned, mask=~phone),
            "transfers": pa.array(np.where(handled, rng.poisson(0.08, count), 0), pa.int64()),
            "reopens": pa.array(columns["reopens"], pa.int64()),
            "replies": pa.array(replies, pa.int64()),
            "csat": _optional_int(columns["csat"]),
            "nps": _optional_int(columns["nps"]),
            "resolved_first_contact": pa.array(columns["fcr_flag"] == 1, mask=columns["fcr_flag"] < 0),
        }
    )


def _labels(names: list[str], index: np.ndarray) -> pa.Array:
    """Text column from small-integer codes, without building millions of Python strings."""
    codes = pa.array(np.asarray(index, dtype=np.int32))
    return pa.DictionaryArray.from_arrays(codes, pa.array(names, pa.string())).cast(pa.string())


def _languages(vendors: tuple[VendorProfile, ...], vendor: np.ndarray, pick: np.ndarray) -> pa.Array:
    names = sorted({language for v in vendors for language in v.languages})
    code = np.zeros(len(vendor), dtype=np.int32)
    for v, profile in enumerate(vendors):
        mask = vendor == v
        options = np.array([names.index(language) for language in profile.languages])
        code[mask] = options[(pick[mask] * len(options)).astype(int)]
    return _labels(names, code)


def _agent_ids(codes: list[str], vendor: np.ndarray, agent: np.ndarray, handled: np.ndarray) -> pa.Array:
    numbers = pc.utf8_lpad(pc.cast(pa.array(agent), pa.string()), 4, "0")
    ids = pc.binary_join_element_wise(_labels(codes, vendor), numbers, "-")
    return pc.if_else(pa.array(handled), ids, pa.scalar(None, pa.string()))


def _instants(seconds: np.ndarray) -> pa.Array:
    missing = np.isnan(seconds) if seconds.dtype.kind == "f" else np.zeros(len(seconds), dtype=bool)
    micros = np.where(missing, 0, seconds).astype(np.int64) * 1_000_000
    return pa.array(micros, pa.timestamp("us", tz="UTC"), mask=missing)


def _numbers(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.float64(), mask=np.isnan(values))


def _optional_int(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(np.int64), pa.int64(), mask=values < 0)
