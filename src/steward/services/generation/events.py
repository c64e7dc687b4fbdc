"""Ticket histories (interaction_events) for a sample of e-mail tickets.

Each history agrees with its interaction's columns: the first agent reply is at
`first_response_at` and the last solve at `resolved_at`, so metrics computed from events and from
columns give the same first response and resolution times. What the events add is the waiting
in between: the ticket is pending while the agent waits for the customer (a pause for
contract clocks), customers write back (next-reply times), and some tickets are solved, reopened
and solved again.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from steward.services.generation.interactions import SOURCE

SHARE = 0.10
"""Share of e-mail tickets that get a history; enough for next-reply and pause metrics per vendor."""
TWO_DAYS = 2 * 86400


def events_chunk(interactions: pa.Table, rng: np.random.Generator) -> pa.Table:
    """Events for the sampled e-mail tickets of one generated chunk."""
    email = pc.equal(interactions["channel"], "email").to_numpy(zero_copy_only=False)
    first = _seconds(interactions["first_response_at"])
    picked = email & ~np.isnan(first) & (rng.random(len(email)) < SHARE)
    rows = interactions.filter(pa.array(picked))
    ids = rows["interaction_id"]
    created, first = _seconds(rows["created_at"]), _seconds(rows["first_response_at"])
    resolved = _seconds(rows["resolved_at"])
    reopened = rows["reopens"].to_numpy(zero_copy_only=False) > 0
    end = np.where(np.isnan(resolved), first + TWO_DAYS, resolved)
    message = first + np.floor((end - first) * rng.uniform(0.15, 0.4, len(ids)))
    reply = message + np.floor((end - message) * rng.uniform(0.2, 0.5, len(ids)))
    first_solve = reply + np.floor((end - reply) * 0.3)
    reopen = first_solve + np.floor((end - first_solve) * 0.3)
    waits = end > first + 120  # a history with a customer reply needs room for it
    solved = ~np.isnan(resolved)
    parts = [
        _events(ids, created, kind="status", value="new", actor="system"),
        _events(ids, first, kind="agent_reply", value=None, actor="agent"),
        _events(ids, first, kind="status", value="pending", actor="agent", keep=waits),
        _events(ids, message, kind="customer_message", value=None, actor="customer", keep=waits),
        _events(ids, message, kind="status", value="open", actor="customer", keep=waits),
        _events(ids, reply, kind="agent_reply", value=None, actor="agent", keep=waits),
        _events(ids, reply, kind="status", value="pending", actor="agent", keep=waits & ~solved),
        _events(ids, first_solve, kind="status", value="solved", actor="agent", keep=waits & solved & reopened),
        _events(ids, reopen, kind="customer_message", value=None, actor="customer", keep=waits & solved & reopened),
        _events(ids, reopen, kind="status", value="open", actor="customer", keep=waits & solved & reopened),
        _events(ids, resolved, kind="status", value="solved", actor="agent", keep=solved),
    ]
    return pa.concat_tables(parts)


def _seconds(column: pa.ChunkedArray) -> np.ndarray:
    micros = pc.cast(column, pa.int64()).to_numpy(zero_copy_only=False)
    values = np.asarray(micros, dtype=np.float64) / 1_000_000
    mask = column.is_null().to_numpy(zero_copy_only=False)
    values[mask] = np.nan
    return values


def _events(
    ids: pa.ChunkedArray,
    at: np.ndarray,
    *,
    kind: str,
    value: str | None,
    actor: str,
    keep: np.ndarray | None = None,
) -> pa.Table:
    chosen = ~np.isnan(at) if keep is None else keep & ~np.isnan(at)
    count = int(chosen.sum())
    micros = (np.nan_to_num(at[chosen]).astype(np.int64)) * 1_000_000
    return pa.table(
        {
            "source": pa.repeat(pa.scalar(SOURCE), count),
            "interaction_id": ids.filter(pa.array(chosen)),
            "at": pa.array(micros, pa.timestamp("us", tz="UTC")),
            "kind": pa.repeat(pa.scalar(kind), count),
            "value": pa.repeat(pa.scalar(value, pa.string()), count),
            "actor_type": pa.repeat(pa.scalar(actor), count),
        }
    )
