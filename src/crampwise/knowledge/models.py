"""Typed, frozen records for everything in the knowledge base (built by the loader)."""

from __future__ import annotations

from dataclasses import dataclass, field

from crampwise.knowledge.facts import Condition, Fact


@dataclass(frozen=True)
class Source:
    """A bibliography entry."""

    id: str
    citation: str
    year: int
    status: str  # checked | secondary | unverified | seed
    url: str | None = None
    doi: str | None = None
    note: str | None = None
    found_via: str | None = None


@dataclass(frozen=True)
class Signal:
    """A fact that supports a cause, and how much (0-1)."""

    fact: Fact
    weight: float


@dataclass(frozen=True)
class Grading:
    """A cause's grade for a narrower claim: when `when` holds the link is graded `evidence`
    (a drug class, night cramps rather than exercise cramps, a true deficiency)."""

    when: Condition
    evidence: str
    note: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Cause:
    id: str
    title: str
    summary: str
    evidence: str
    sources: tuple[str, ...]
    signals: tuple[Signal, ...]
    seed_claim: str | None = None
    # The first grading whose facts hold replaces `evidence` for that situation.
    grading: tuple[Grading, ...] = ()


@dataclass(frozen=True)
class Caution:
    """A warning attached to a remedy; `when` None = always shown."""

    id: str
    text: str
    evidence: str
    sources: tuple[str, ...]
    when: Condition | None = None


@dataclass(frozen=True)
class Substitution:
    """Replace a remedy by a safer alternative when `when` holds."""

    when: Condition
    with_id: str
    reason: str


@dataclass(frozen=True)
class Remedy:
    id: str
    title: str
    phase: str
    how: str
    evidence: str
    evidence_note: str
    sources: tuple[str, ...]
    include: Condition | None  # None = never on its own (an alternative only)
    relevant: tuple[Fact, ...] = ()
    cautions: tuple[Caution, ...] = ()
    substitute: Substitution | None = None
    seed_claim: str | None = None
    alternative_to: str | None = None


@dataclass(frozen=True)
class PlanRule:
    """A plan rule: while `when` holds, the `remedies` are withheld (unsafe for this person),
    and `instead` (a remedy id, or None) is offered in their place."""

    id: str
    remedies: tuple[str, ...]
    when: Condition
    why: str
    evidence: str
    sources: tuple[str, ...]
    instead: str | None = None


@dataclass(frozen=True)
class AvoidItem:
    id: str
    title: str
    why: str
    evidence: str
    sources: tuple[str, ...]
    include: Condition
    names: tuple[str, ...] = ()  # other names of the same thing ("tonic water")


@dataclass(frozen=True)
class RedFlagRule:
    """A combination of facts that sets a triage level."""

    id: str
    level: str
    title: str
    when: Condition
    advice: str
    evidence: str
    sources: tuple[str, ...]
    baseline: bool = False


@dataclass(frozen=True)
class DrugClass:
    id: str
    label: str
    link: str
    detail: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class MedicineEntry:
    generic: str
    class_id: str
    link: str
    names: tuple[str, ...] = ()
    label: str | None = None


@dataclass(frozen=True)
class Combination:
    names: tuple[str, ...]
    components: tuple[str, ...]


@dataclass(frozen=True)
class NowStep:
    id: str
    title: str
    how: str
    seconds: int
    evidence: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class StretchTiming:
    """The bedtime stretch timer: `rounds` of a hold then a rest."""

    hold_s: int
    rest_s: int
    rounds: int
    evidence: str
    sources: tuple[str, ...]

    @property
    def total_s(self) -> int:
        return self.rounds * (self.hold_s + self.rest_s)


@dataclass(frozen=True)
class FootbathLimits:
    """The safe footbath: water between `low_c` and `high_c`, never above `max_c`."""

    low_c: float
    high_c: float
    max_c: float
    minutes: int
    evidence: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Reminder:
    """What the evening reminder of an experiment says on an "on" night."""

    intervention: str
    text: str
    evidence: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class BedtimeRoutine:
    """The bedtime routine's numbers and the experiments' evening reminders."""

    stretch: StretchTiming
    footbath: FootbathLimits
    reminders: dict[str, Reminder]


@dataclass(frozen=True)
class LevelInfo:
    title: str
    action: str


@dataclass(frozen=True)
class Knowledge:
    """The whole knowledge base, validated."""

    version: str
    disclaimer: str
    no_clear_cause: str
    levels: dict[str, LevelInfo]
    sources: dict[str, Source]
    causes: tuple[Cause, ...]
    remedies: dict[str, Remedy]
    avoid: tuple[AvoidItem, ...]
    rules: tuple[RedFlagRule, ...]
    classes: dict[str, DrugClass]
    medicines: dict[str, MedicineEntry]
    combinations: tuple[Combination, ...]
    bedtime: BedtimeRoutine
    # normalised name -> generic names it stands for (one, or several for a combination)
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    now_steps: tuple[NowStep, ...] = ()
    now_warning: Caution | None = None
    plan_rules: tuple[PlanRule, ...] = ()

    def cause(self, cause_id: str) -> Cause:
        return next(c for c in self.causes if c.id == cause_id)

    def rule(self, rule_id: str) -> RedFlagRule:
        return next(r for r in self.rules if r.id == rule_id)
