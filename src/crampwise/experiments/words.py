"""An experiment's result in the words a person reads (CLI, web, PDF): one sentence for the
verdict, the change in cramps, and how sure we are, never claiming certainty.

A result from nights that were not randomised is never worded as cause and effect.
"""

from __future__ import annotations

from crampwise.experiments.model import MIN_NIGHTS_PER_ARM
from crampwise.experiments.verdict import ExperimentResult


def percent(p: float | None) -> str:
    """A probability as a percentage that never claims certainty ("over 99%")."""
    if p is None:
        return ""
    if p > 0.99:
        return "over 99%"
    if p < 0.01:
        return "under 1%"
    return f"{p:.0%}"


def as_many(ratio: float) -> str:
    """A rate ratio as a comparison of counts: "about half as many", "about 30% more"."""
    if ratio < 0.4:
        return "less than half as many"
    if ratio <= 0.6:
        return "about half as many"
    if ratio < 0.95:
        return f"about {round((1 - ratio) * 100)}% fewer"
    if ratio <= 1.05:
        return "about as many"
    if ratio < 1.7:
        return f"about {round((ratio - 1) * 100)}% more"
    if ratio <= 2.4:
        return "about twice as many"
    return "more than twice as many"


def change(ratio: float) -> str:
    """A rate ratio as a change in cramps: "42% fewer cramps", "no change"."""
    step = round((ratio - 1) * 100)
    if step == 0:
        return "no change"
    return f"{abs(step)}% {'more' if step > 0 else 'fewer'} cramps"


def range_words(result: ExperimentResult) -> str | None:
    """The 95% interval as the range of changes that fit the nights."""
    if result.effect is None:
        return None
    low, high = result.effect.ci95
    return f"from {change(low)} to {change(high)}"


def adherence_words(result: ExperimentResult) -> str | None:
    """How closely the plan was followed, when there was one."""
    if result.adherence is None:
        return None
    return f"You followed the schedule on {result.adherence:.0%} of the recorded nights."


def verdict_sentence(result: ExperimentResult, remedy: str) -> str:
    """One or two sentences: what the nights showed and how sure we are."""
    if result.verdict == "not_enough_data" or result.effect is None:
        return (
            f"Not enough nights to say yet: at least {MIN_NIGHTS_PER_ARM} nights with "
            f"{remedy} and {MIN_NIGHTS_PER_ARM} without are needed (after the wash-out nights)."
        )
    compared = as_many(result.effect.estimate)
    sure = percent(result.probability_helps)
    if not result.randomised:
        link = {
            "helps": f"{remedy} goes with fewer cramps",
            "worse": f"{remedy} goes with more cramps",
        }.get(result.verdict, f"there is no clear link between {remedy} and your cramps")
        return (
            f"On the nights with {remedy} you had {compared} cramps as on the nights without, "
            f"allowing for the other things in your diary: {link}. You chose which nights, so "
            "this is a link, not proof; a randomised experiment (crampwise experiment plan) "
            "can tell whether it is the cause."
        )
    nights = f"The nights with {remedy} had {compared} cramps as the nights without"
    if result.verdict == "helps":
        return f"{nights}; we are {sure} sure it helps you."
    if result.verdict == "worse":
        worse = (
            percent(1 - result.probability_helps) if result.probability_helps is not None else ""
        )
        return f"{nights}; we are {worse} sure it makes your cramps worse."
    return (
        f"{nights}, but that could be chance: we are {sure} sure it helps, short of the 95% "
        "we ask for. This is not proof that it does nothing; more pairs of periods can tell."
    )
