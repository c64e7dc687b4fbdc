"""Next-reply instances from interaction_events (docs/metrics.md, `next_reply`).

For every human agent reply after the first, the clock starts at the earliest customer message
later than the previous agent reply and not later than this one. A customer message at the same
instant as a reply belongs to that reply's instance.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from steward.definitions.metrics import MetricDefinition
from steward.engine import clocks
from steward.engine.interactions import clock_column, duration_plan, uses_business
from steward.engine.plan import PERIOD_AT, QueryContext, SourceResult

KEYS = list(clocks.KEYS)


def build(ctx: QueryContext, metrics: Sequence[MetricDefinition]) -> SourceResult:
    interactions = ctx.restrict(ctx.table("interactions"), "created_at")
    instances = _instances(ctx, interactions)
    rows = instances.join(interactions, KEYS).mutate(**{PERIOD_AT: ibis._.created_at})
    if any(uses_business(ctx, m) for m in metrics):
        rows = clocks.with_calendar_code(ctx, rows)
    done: set[str] = set()
    for metric in metrics:
        business = uses_business(ctx, metric)
        column = clock_column(metric, business)
        if column in done:
            continue
        done.add(column)
        rows = clocks.duration_seconds(
            ctx, rows, start="instance_start", stop="instance_stop", business=business, output=f"{column}_s"
        )
        rows = rows.mutate(**{column: rows[f"{column}_s"] / 60.0}).drop(f"{column}_s")
    return SourceResult(rows, [duration_plan(ctx, metric) for metric in metrics])


def _instances(ctx: QueryContext, interactions: ir.Table) -> ir.Table:
    events = ctx.table("interaction_events").semi_join(interactions.select(*KEYS), KEYS)
    reply = (events.kind == "agent_reply") & (events.actor_type.isnull() | (events.actor_type == "agent"))
    message = events.kind == "customer_message"
    stream = events.filter(reply | message).mutate(
        is_reply=reply.ifelse(1, 0),
        tie=reply.ifelse(1, 0),  # at equal instants, customer messages come first
    )
    window = ibis.cumulative_window(group_by=KEYS, order_by=[stream.at, stream.tie, stream.value])
    stream = stream.mutate(replies_so_far=stream.is_reply.sum().over(window))
    starts = (
        stream.filter((stream.is_reply == 0) & (stream.replies_so_far >= 1))
        .group_by([*KEYS, "replies_so_far"])
        .aggregate(instance_start=ibis._.at.min())
    )
    replies = stream.filter(stream.is_reply == 1).select(
        *KEYS, instance_stop=stream.at, previous_replies=stream.replies_so_far - 1
    )
    joined = replies.join(
        starts,
        [
            replies.source == starts.source,
            replies.interaction_id == starts.interaction_id,
            replies.previous_replies == starts.replies_so_far,
        ],
    )
    return joined.select(*KEYS, "instance_start", "instance_stop")
