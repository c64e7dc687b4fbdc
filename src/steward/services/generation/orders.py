"""Orders per customer, for loyalty metrics: repeat buyers, customers who stop buying, referrals."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from steward.services.generation.arrivals import Calendar
from steward.services.generation.interactions import SOURCE, Population

CHURN_SHARE = 0.2
REFERRAL_SHARE = 0.15
"""Share of new customers whose first order names an earlier customer as referrer."""


def orders_table(population: Population, interactions: int, calendar: Calendar, seed: int) -> pa.Table:
    """About one order per two contacts; frequent contacters are frequent buyers; churners stop early."""
    rng = np.random.default_rng([seed, 53])
    count = max(2_000, interactions // 2)
    customer = population.draw(count, rng)
    start, end = float(calendar.day_start_utc[0]), float(calendar.end_epoch)
    # A churned customer's orders all fall before the day they left.
    churned = (customer * 2654435761 % 1000) < CHURN_SHARE * 1000
    leaves = start + (end - start) * (0.2 + 0.6 * ((customer * 40503 % 997) / 997))
    latest = np.where(churned, leaves, end)
    ordered = start + rng.random(count) * (latest - start)
    amount = np.round(rng.lognormal(np.log(45), 0.6, count), 2)
    index = pa.array(np.arange(count))
    referrer = _referrers(customer, ordered.astype(np.int64), np.random.default_rng([seed, 59]))
    return pa.table(
        {
            "source": pa.repeat(pa.scalar(SOURCE), count),
            "order_id": pc.binary_join_element_wise("o-", pc.cast(index, pa.string()), ""),
            "customer_id": _labels(customer),
            "ordered_at": pa.array(ordered.astype(np.int64) * 1_000_000, pa.timestamp("us", tz="UTC")),
            "amount": pa.array(amount),
            "currency": pa.repeat(pa.scalar("EUR"), count),
            "referred_by": pc.if_else(pa.array(referrer >= 0), _labels(referrer), pa.scalar(None, pa.string())),
        }
    )


def _referrers(customer: np.ndarray, ordered: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per order, the referring customer (-1 -> null): on some first orders, a customer who bought earlier."""
    order = np.lexsort((ordered, customer))
    first_of_customer = np.ones(len(order), dtype=bool)
    first_of_customer[1:] = customer[order][1:] != customer[order][:-1]
    firsts = order[first_of_customer]  # each customer's first order
    firsts = firsts[np.argsort(ordered[firsts], kind="stable")]  # in time order
    referrer = np.full(len(customer), -1, dtype=np.int64)
    chosen = np.flatnonzero(rng.random(len(firsts)) < REFERRAL_SHARE)
    chosen = chosen[chosen > 0]  # the very first customer has nobody to be referred by
    earlier = (rng.random(len(chosen)) * chosen).astype(np.int64)  # a customer whose first order came before
    referrer[firsts[chosen]] = customer[firsts[earlier]]
    return referrer


def _labels(customer: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise("c-", pc.cast(pa.array(customer), pa.string()), "")
