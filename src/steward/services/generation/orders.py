"""Orders per customer, for loyalty metrics: repeat buyers, and customers who stop buying."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from steward.services.generation.arrivals import Calendar
from steward.services.generation.interactions import SOURCE, Population

CHURN_SHARE = 0.2


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
    return pa.table(
        {
            "source": pa.repeat(pa.scalar(SOURCE), count),
            "order_id": pc.binary_join_element_wise("o-", pc.cast(index, pa.string()), ""),
            "customer_id": pc.binary_join_element_wise("c-", pc.cast(pa.array(customer), pa.string()), ""),
            "ordered_at": pa.array(ordered.astype(np.int64) * 1_000_000, pa.timestamp("us", tz="UTC")),
            "amount": pa.array(amount),
            "currency": pa.repeat(pa.scalar("EUR"), count),
        }
    )
