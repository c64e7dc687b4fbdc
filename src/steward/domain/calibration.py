"""A calibration session: several evaluators score the same interactions blind; how far apart are they?

The reference is an expert evaluator, or the consensus (each interaction's mean score, each
question's commonest answer). Per question: agreement statistics with raw agreement and prevalence.
Overall: alpha (interval) on the final scores. Per evaluator: bias (mean signed deviation from the
reference score: + lenient, - strict), mean absolute deviation, share of interactions within the
tolerance, and alignment (MaestroQA's criterion alignment, 1 - |s - s_ref| weighted by the
question's weight). An evaluator is flagged when the mean absolute deviation exceeds the tolerance
(default 5 points): an evaluator +10 on one interaction and -10 on the next has no bias but does
not agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import fmean

from steward.domain.qa_scoring import NA, Form, Question, score
from steward.domain.reliability import Agreement, Level, krippendorff_alpha

Answers = Mapping[str, str]
"""question id -> answer label (or n/a) of one evaluator on one interaction."""
Session = Mapping[str, Mapping[str, Answers]]
"""evaluator -> interaction -> answers."""


@dataclass(frozen=True)
class EvaluatorDeviation:
    evaluator: str
    interactions: int
    bias: float | None
    mean_absolute_deviation: float | None
    within_tolerance: float | None
    alignment: float | None
    flagged: bool


@dataclass(frozen=True)
class CalibrationResult:
    reference: str
    """The expert's id, or "consensus"."""
    scores: dict[str, dict[str, float | None]]
    """evaluator -> interaction -> final score."""
    reference_scores: dict[str, float | None]
    overall: Agreement
    questions: dict[str, Agreement]
    evaluators: list[EvaluatorDeviation]
    tolerance: float


def calibrate(form: Form, session: Session, expert: str | None = None, tolerance: float = 5.0) -> CalibrationResult:
    """Analyse a session; with `expert`, that evaluator is the reference and is not judged."""
    if expert is not None and expert not in session:
        raise ValueError(f"the expert {expert!r} did not take part ({', '.join(session) or 'nobody did'})")
    evaluators = list(session)
    units = sorted({unit for answers in session.values() for unit in answers})
    scores = {e: {u: _final(form, session[e].get(u)) for u in units} for e in evaluators}
    reference_scores = dict(scores[expert]) if expert else {u: _mean([scores[e][u] for e in evaluators]) for u in units}
    reference_answers = _reference_answers(form, session, units, expert)
    judged = [e for e in evaluators if e != expert]
    overall = krippendorff_alpha([[scores[e][u] for u in units] for e in evaluators], "interval")
    questions = {
        q.id: krippendorff_alpha([[_answer(session[e].get(u), q.id) for u in units] for e in evaluators], _level(q))
        for _, q in form.questions()
    }
    deviations = [
        _deviation(form, e, scores[e], reference_scores, session[e], reference_answers, tolerance) for e in judged
    ]
    return CalibrationResult(expert or "consensus", scores, reference_scores, overall, questions, deviations, tolerance)


def alignment(form: Form, answers: Answers, reference: Answers) -> float | None:
    """1 - |s - s_ref| per question answered by both (N/A on one side only counts as 0), weighted."""
    total = weight = 0.0
    for _, question in form.questions():
        mine, theirs = answers.get(question.id), reference.get(question.id)
        if mine is None or theirs is None or (mine == NA and theirs == NA):
            continue
        weight += question.weight
        if NA in (mine, theirs):
            continue
        gap = abs(question.share(question.option(mine)) - question.share(question.option(theirs)))
        total += question.weight * (1 - gap)
    return total / weight if weight else None


def _deviation(  # noqa: PLR0917 - one evaluator against the reference
    form: Form,
    evaluator: str,
    own: Mapping[str, float | None],
    reference: Mapping[str, float | None],
    answers: Mapping[str, Answers],
    reference_answers: Mapping[str, Answers],
    tolerance: float,
) -> EvaluatorDeviation:
    gaps = [own[u] - ref for u, ref in reference.items() if own.get(u) is not None and ref is not None]  # type: ignore[operator]
    aligned = [a for u in answers if (a := alignment(form, answers[u], reference_answers.get(u, {}))) is not None]
    mad = fmean(abs(g) for g in gaps) if gaps else None
    return EvaluatorDeviation(
        evaluator,
        len(gaps),
        fmean(gaps) if gaps else None,
        mad,
        sum(abs(g) <= tolerance for g in gaps) / len(gaps) if gaps else None,
        fmean(aligned) if aligned else None,
        mad is not None and mad > tolerance,
    )


def _reference_answers(form: Form, session: Session, units: list[str], expert: str | None) -> dict[str, dict[str, str]]:
    if expert is not None:
        return {u: dict(session[expert].get(u, {})) for u in units}
    consensus: dict[str, dict[str, str]] = {}
    for unit in units:
        given = [answers[unit] for answers in session.values() if unit in answers]
        consensus[unit] = {}
        for _, question in form.questions():
            votes = Counter(a[question.id] for a in given if question.id in a)
            if votes:  # the commonest answer; a tie goes to the one given first
                consensus[unit][question.id] = votes.most_common(1)[0][0]
    return consensus


def _final(form: Form, answers: Answers | None) -> float | None:
    return None if answers is None else score(form, answers).score


def _answer(answers: Answers | None, question_id: str) -> str | None:
    return None if answers is None else answers.get(question_id)


def _level(question: Question) -> Level:
    labels = [option.label for option in question.options]
    return "ordinal" if all(label.isdigit() for label in labels) and len(labels) > 2 else "nominal"


def _mean(values: list[float | None]) -> float | None:
    given = [v for v in values if v is not None]
    return fmean(given) if given else None
