"""Staffing formulas, vectorised over intervals: Erlang C (callers wait as long as it takes) and
Erlang A (callers abandon after an exponential patience), and agents to FTE after shrinkage.

Conventions (docs/wfm.md): traffic A = volume × AHT / interval length, in Erlangs. Service level
SL(t) is the share of *all* arrivals answered within t seconds, so in Erlang A an abandoned call
is a failure. ASA is the mean wait over all arrivals (answered at once counts 0; in Erlang A an
abandoned call counts the time until it hung up). Required agents is the smallest N meeting every
goal; zero volume needs 0 agents, never an error. Erlang C searches from floor(A) + 1 (fewer agents
never keep up); Erlang A may need fewer agents than A, because impatient callers leave.

Erlang A has closed forms here: the stationary distribution of the M/M/N+M queue, and for a caller
who finds j callers ahead the time to reach an agent is a sum of exponentials with rates Nμ + kθ,
k = 0..j. Tilting by the caller's own patience turns "answered within t" into
    Nμ / (Nμ + (j+1)θ) × I_{1 − e^{−θt}}(j + 1, Nμ/θ + 1)
(a regularised incomplete beta), so a whole interval costs one vectorised betainc, not a Markov
chain per queue position (tests reproduce published examples to six decimals).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import numpy.typing as npt
from scipy.special import betainc, gammaincc, gammaln

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
ArrayLike = npt.ArrayLike
_TINY = 1e-300
_STEP_LIMIT = 100_000
_CELLS = 1_000_000
"""Erlang A works on blocks of at most this many intervals × queue positions (8 MB per array)."""


@dataclass(frozen=True)
class ServiceGoal:
    """What the staffing must achieve in every interval."""

    service_level: float = 0.8
    answer_seconds: float = 20.0
    max_asa_seconds: float | None = None
    max_occupancy: float | None = None
    max_abandon: float | None = None
    """Erlang A only: the largest share of callers who may hang up."""


@dataclass(frozen=True)
class QueueMetrics:
    """How a queue performs with a given number of agents, per interval."""

    agents: Ints
    traffic: Floats
    p_wait: Floats
    service_level: Floats
    asa_seconds: Floats
    occupancy: Floats
    p_abandon: Floats


def traffic_erlangs(volume: ArrayLike, aht_seconds: ArrayLike, interval_seconds: float) -> Floats:
    return np.asarray(volume, dtype=np.float64) * np.asarray(aht_seconds, dtype=np.float64) / interval_seconds


def erlang_b(traffic: ArrayLike, agents: ArrayLike) -> Floats:
    """Blocking probability B(N, A) = Poisson pmf(N; A) / cdf(N; A), in closed form (no loop over N)."""
    a, n = np.broadcast_arrays(np.asarray(traffic, dtype=np.float64), np.asarray(agents, dtype=np.int64))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_pmf = n * np.log(a) - a - gammaln(n + 1)
        b = np.exp(log_pmf) / gammaincc(n + 1, a)
    return np.where(n <= 0, 1.0, np.where(a <= 0, 0.0, b))


def erlang_c(
    volume: ArrayLike, aht_seconds: ArrayLike, interval_seconds: float, agents: ArrayLike, answer_seconds: float
) -> QueueMetrics:
    """Erlang C metrics of each interval with the given agents (no abandonment)."""
    v, aht, n = np.broadcast_arrays(
        np.asarray(volume, dtype=np.float64),
        np.asarray(aht_seconds, dtype=np.float64),
        np.asarray(agents, dtype=np.int64),
    )
    a = traffic_erlangs(v, aht, interval_seconds)
    return _erlang_c_from(a, aht, n, erlang_b(a, n), answer_seconds)


def _erlang_c_from(a: Floats, aht: Floats, n: Ints, b: Floats, answer_seconds: float) -> QueueMetrics:
    with np.errstate(divide="ignore", invalid="ignore"):
        stable = n > a
        p_wait = np.where(stable, n * b / (n - a * (1 - b)), 1.0)
        p_wait = np.where(a <= 0, 0.0, p_wait)
        spare = np.where(stable, n - a, 1.0)
        sl = np.where(stable, 1 - p_wait * np.exp(-spare * answer_seconds / np.where(aht > 0, aht, 1.0)), 0.0)
        asa = np.where(stable, p_wait * aht / spare, np.inf)
        occupancy = np.where(n > 0, np.minimum(a / np.maximum(n, 1), 1.0), 0.0)
    idle = a <= 0
    sl, asa = np.where(idle, 1.0, sl), np.where(idle, 0.0, asa)
    return QueueMetrics(n.astype(np.int64), a, p_wait, sl, asa, occupancy, np.zeros(a.shape))


def required_agents_erlang_c(
    volume: ArrayLike, aht_seconds: ArrayLike, interval_seconds: float, goal: ServiceGoal
) -> Ints:
    """The fewest agents meeting the goal in each interval (computed once per distinct volume and AHT)."""
    unique, inverse = _distinct(volume, aht_seconds)
    a = unique[:, 0] * unique[:, 1] / interval_seconds
    aht = unique[:, 1]
    n = np.where(a > 0, np.floor(a).astype(np.int64) + 1, 0)
    b = erlang_b(a, n)
    active = np.nonzero(a > 0)[0]  # only intervals still short of the goal are stepped
    for _ in range(_STEP_LIMIT):
        metrics = _erlang_c_from(a[active], aht[active], n[active], b[active], goal.answer_seconds)
        active = active[~_meets(metrics, goal)]
        if not active.size:
            break
        n[active] += 1
        b[active] = a[active] * b[active] / (n[active] + a[active] * b[active])
    return _occupancy_cap(a, n, goal)[inverse]


def erlang_a(
    volume: ArrayLike,
    aht_seconds: ArrayLike,
    patience_seconds: ArrayLike,
    interval_seconds: float,
    agents: ArrayLike,
    *,
    answer_seconds: float,
) -> QueueMetrics:
    """Erlang A (M/M/N+M) metrics of each interval with the given agents."""
    v, aht, patience, n = np.broadcast_arrays(
        np.asarray(volume, dtype=np.float64),
        np.asarray(aht_seconds, dtype=np.float64),
        np.asarray(patience_seconds, dtype=np.float64),
        np.asarray(agents, dtype=np.int64),
    )
    if not (np.isfinite(patience) & (patience > 0)).all():
        raise ValueError("patience must be a positive number of seconds (use Erlang C for callers who never leave)")
    rates = _Rates((v / interval_seconds).ravel(), (1 / aht).ravel(), (1 / patience).ravel())
    return _erlang_a_from(rates, n.ravel(), answer_seconds, v.shape)


@dataclass(frozen=True)
class _Rates:
    """Per second: arrivals λ, one agent's service μ, one caller's abandonment θ."""

    lam: Floats
    mu: Floats
    theta: Floats


def _erlang_a_from(rates: _Rates, n: Ints, answer_seconds: float, shape: tuple[int, ...]) -> QueueMetrics:
    """Erlang A per row, in blocks of rows that need about as many queue positions: one interval that
    needs a long tail no longer makes every other interval carry it."""
    needed = _tail_lengths(rates.lam, rates.mu, rates.theta, n)
    _check_tail(needed, rates)
    columns = np.empty((4, len(n)))
    order = np.argsort(needed, kind="stable")
    for rows in _blocks(needed[order]):
        chosen = order[rows]
        block = _Rates(rates.lam[chosen], rates.mu[chosen], rates.theta[chosen])
        columns[:, chosen] = _erlang_a_block(block, n[chosen], answer_seconds, int(needed[chosen].max()))
    p_wait, sl, asa, p_abandon = columns
    a = rates.lam / rates.mu
    occupancy = np.where(n > 0, a * (1 - p_abandon) / np.maximum(n, 1), 0.0)
    return QueueMetrics(
        n.reshape(shape), a.reshape(shape), p_wait.reshape(shape), sl.reshape(shape), asa.reshape(shape),
        occupancy.reshape(shape), p_abandon.reshape(shape),
    )  # fmt: skip


def _erlang_a_block(rates: _Rates, n: Ints, answer_seconds: float, length: int) -> Floats:
    """P(wait), SL, ASA and P(abandon) (rows of the result) summing queue positions 0..length."""
    lam, mu, theta = rates.lam, rates.mu, rates.theta
    b = erlang_b(lam / mu, n)
    j = np.arange(length + 1)
    served = n * mu
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        log_ratio = np.log(lam[:, None]) - np.log(served[:, None] + j[None, 1:] * theta[:, None])
        log_tail = np.concatenate([np.zeros((len(lam), 1)), np.cumsum(log_ratio, axis=1)], axis=1)
        top = np.maximum(log_tail.max(axis=1), 0.0)
        tail = np.exp(log_tail - top[:, None])
        below = np.where(b > _TINY, (1 - b) / b, np.inf) * np.exp(-top)  # Σ_{n<N} π_n relative to π_N
        total = below + tail.sum(axis=1)
        pi_tail = tail / total[:, None]
        no_wait = below / total
        within = 1 - np.exp(-theta * answer_seconds)
        k = j[: _reach_columns(served / theta, within, length)]
        reach = betainc(k[None, :] + 1, served[:, None] / theta[:, None] + 1, within[:, None])
        answered_in_time = (
            pi_tail[:, : len(k)] * served[:, None] / (served[:, None] + (k[None, :] + 1) * theta[:, None]) * reach
        ).sum(1)
        queued = (pi_tail * j[None, :]).sum(axis=1)
    idle = lam <= 0
    calm = idle | ~np.isfinite(below)  # no calls, or B(N, A) underflowed: so many agents that nobody waits
    safe_lam = np.where(idle, 1.0, lam)
    return np.stack([
        np.where(calm, 0.0, 1 - no_wait),
        np.where(calm, 1.0, no_wait + answered_in_time),
        np.where(calm, 0.0, queued / safe_lam),
        np.where(calm, 0.0, theta * queued / safe_lam),
    ])  # fmt: skip


def _reach_columns(c: Floats, x: Floats, length: int) -> int:
    """Queue positions worth a betainc: I_x(j + 1, c + 1) = P(Binomial(j + c + 1, x) ≥ j + 1) is below
    e^-50 once j + 1 is 10√m + 50 above the mean m = (j + c + 1)x (m bounded here with j = length).
    With long patience x is tiny and only the first hundred or so positions can still be answered in time."""
    with np.errstate(over="ignore", invalid="ignore"):
        mean = (c + 1) * x
        spread = 10 * np.sqrt((length + c + 1) * x) + 50
        needed = np.ceil((mean + spread) / np.maximum(1 - x, 1e-12)) + 1
    worst = np.nanmax(needed, initial=0.0) if len(needed) else 0.0
    return int(min(worst, length + 1))


def _tail_lengths(lam: Floats, mu: Floats, theta: Floats, n: Ints) -> Ints:
    """Queue positions to sum per row so the neglected tail is below 1e-16 of the total. The weights
    π_{N+j} ∝ x^j / Π_{k≤j} (c + k), x = λ/θ and c = Nμ/θ, are a Poisson(x) pmf at c + j: the mass
    sits max(x − c, 0) positions in and falls off within 10√x + 50 more; when the agents outpace
    arrivals it also falls geometrically at once."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = lam / theta
        poisson_like = np.maximum(scale - n * mu / theta, 0.0) + 10 * np.sqrt(scale) + 50
        ratio = lam / np.maximum(n * mu, 1e-300)
        geometric = np.where(ratio < 1, 40 / -np.log(np.minimum(ratio, 1 - 1e-12)) + 10, np.inf)
    needed = np.minimum(poisson_like, geometric)
    return np.asarray(np.ceil(np.nan_to_num(needed, nan=1.0, posinf=float(_STEP_LIMIT + 1))), dtype=np.int64)


def _check_tail(needed: Ints, rates: _Rates) -> None:
    if not len(needed) or needed.max() <= _STEP_LIMIT:
        return
    worst = int(np.argmax(needed))
    patience = 1 / rates.theta[worst]
    raise ValueError(
        f"Erlang A would have to follow {int(needed[worst]):,} callers in queue (arrivals "
        f"{rates.lam[worst] * 3600:,.0f} per hour, patience {patience:,.0f} s, more than {_STEP_LIMIT:,}): callers "
        "that patient practically never hang up, so use Erlang C (leave out the patience)"
    )


def _blocks(lengths: Ints) -> list[slice]:
    """Consecutive rows of ascending `lengths` in blocks of at most `_CELLS` rows × positions (at least
    one row each), so memory stays bounded however long the longest tail is."""
    found, start = [], 0
    while start < len(lengths):
        fits = np.arange(1, len(lengths) - start + 1) * (lengths[start:] + 1) <= _CELLS
        end = len(lengths) if fits.all() else start + max(1, int(np.argmin(fits)))
        found.append(slice(start, end))
        start = end
    return found


def required_agents_erlang_a(
    volume: ArrayLike,
    aht_seconds: ArrayLike,
    patience_seconds: float,
    interval_seconds: float,
    goal: ServiceGoal,
) -> Ints:
    """The fewest agents meeting the goal in each interval under Erlang A (may be fewer than A)."""
    unique, inverse = _distinct(volume, aht_seconds)
    lam, mu = unique[:, 0] / interval_seconds, 1 / unique[:, 1]
    if not (np.isfinite(patience_seconds) and patience_seconds > 0):
        raise ValueError("patience must be a positive number of seconds (use Erlang C for callers who never leave)")
    rates = _Rates(lam, mu, np.full(lam.shape, 1 / patience_seconds))

    def ok(agents: Ints) -> npt.NDArray[np.bool_]:
        metrics = _erlang_a_from(rates, agents, goal.answer_seconds, lam.shape)
        return (lam <= 0) | _meets(metrics, goal)

    high = np.maximum(np.ceil(lam / mu).astype(np.int64), 1)
    for _ in range(64):  # double until every interval is served
        short = ~ok(high)
        if not short.any():
            break
        high = np.where(short, high * 2, high)
    # Fewer than SL × A agents always fail: answered calls cannot outnumber N / A of the arrivals, and SL
    # counts only answered ones. Starting there also keeps probes away from N far below A, where long
    # patience means long queues to sum.
    low = np.maximum(np.ceil(goal.service_level * lam / mu).astype(np.int64) - 1, 0)  # fails (or is 0)
    while (high - low > 1).any():
        middle = (low + high) // 2
        good = ok(middle)
        searching = high - low > 1
        high = np.where(searching & good, middle, high)
        low = np.where(searching & ~good, middle, low)
    high = np.where(lam <= 0, 0, high)
    return high[inverse]


def _meets(metrics: QueueMetrics, goal: ServiceGoal) -> npt.NDArray[np.bool_]:
    met = metrics.service_level >= goal.service_level
    if goal.max_asa_seconds is not None:
        met &= metrics.asa_seconds <= goal.max_asa_seconds
    if goal.max_abandon is not None:
        met &= metrics.p_abandon <= goal.max_abandon
    if goal.max_occupancy is not None:
        met &= metrics.occupancy <= goal.max_occupancy + 1e-12
    return met


def _occupancy_cap(traffic: Floats, agents: Ints, goal: ServiceGoal) -> Ints:
    """Erlang C occupancy is A/N: the cap needs ceil(A / cap) agents (the epsilon keeps 17/0.85 at 20)."""
    if goal.max_occupancy is None:
        return agents
    capped = np.where(traffic > 0, np.ceil(traffic / goal.max_occupancy - 1e-9), 0).astype(np.int64)
    return np.maximum(agents, capped)


def _distinct(volume: ArrayLike, aht_seconds: ArrayLike) -> tuple[Floats, Ints]:
    """Distinct (volume, AHT) pairs and where each interval's pair is: a year of intervals has a few
    hundred distinct volumes, so each is solved once."""
    v, aht = np.broadcast_arrays(np.asarray(volume, dtype=np.float64), np.asarray(aht_seconds, dtype=np.float64))
    if (v < 0).any() or (aht[v > 0] <= 0).any():
        raise ValueError("volumes must be ≥ 0 and handle times > 0 where there is volume")
    pairs = np.stack([v.ravel(), np.where(v > 0, aht.ravel(), 1.0)], axis=1)
    unique, inverse = np.unique(pairs, axis=0, return_inverse=True)
    return unique, inverse.reshape(v.shape).astype(np.int64)


def fte(agents: ArrayLike, shrinkage: str | float | Decimal) -> Ints:
    """Agents to schedule so that `agents` remain after shrinkage: ceil(agents / (1 − shrinkage)) in
    integer arithmetic on basis points, so 21 agents at 30% is 30, not the 31 that 21 / 0.7 =
    30.000000000000004 gives in floating point."""
    share = Decimal(str(shrinkage)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    if not Decimal(0) <= share < Decimal(1):
        raise ValueError(f"shrinkage {shrinkage} must be at least 0 and below 1 (30% is 0.3)")
    kept = 10_000 - int(share * 10_000)
    counts = np.asarray(agents, dtype=np.int64)
    return (counts * 10_000 + kept - 1) // kept
