"""The clinician report's figures, gathered from a diary (pure data, testable on its own)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from crampwise.analysis.triggers import TriggerReport, find_triggers
from crampwise.assess.medicines import match_medicine
from crampwise.diary.daytable import DayTable
from crampwise.diary.model import Episode, Medicine
from crampwise.experiments.plan import ExperimentPlan
from crampwise.experiments.status import analyze_plan
from crampwise.interop.ics import intervention_title
from crampwise.interop.records import StoredAssessment, StoredExperiment
from crampwise.knowledge import load_knowledge

# Fewer nights than this give no weekly rate: 1 cramp in 3 nights is not "2.3 per week".
MIN_RATE_NIGHTS = 14


class ReportDiary(Protocol):
    """The part of `crampwise.store.UserDiary` the report reads."""

    def day_table(self) -> DayTable: ...
    def episodes(self, start: date | None = None, end: date | None = None) -> list[Episode]: ...
    def experiments(self) -> Sequence[StoredExperiment]: ...
    def latest_assessment(self) -> StoredAssessment | None: ...
    def medicines(self) -> list[Medicine]: ...
    def units(self) -> str: ...


@dataclass
class ExperimentLine:
    """One experiment as the report shows it."""

    title: str
    start: date
    end: date
    status: str
    verdict: str | None = None
    rate_ratio: float | None = None
    ci95: tuple[float, float] | None = None
    probability_helps: float | None = None
    nights_on: int = 0
    nights_off: int = 0


@dataclass
class MedicineLine:
    """A medicine from the diary, with whether the knowledge base links it to cramps."""

    name: str
    started: date | None
    stopped: date | None
    linked_to_cramps: bool | None  # None: not known to the knowledge base / not checked
    drug_class: str | None = None
    generic: str | None = None  # when it differs from the name typed (Lipitor: atorvastatin)
    from_assessment: bool = False  # named in the saved assessment, not in the medicine list


@dataclass
class ReportData:
    """Everything the two pages show."""

    user: str
    first: date
    last: date
    nights: int
    cramp_nights: int
    cramps: int
    weeks: list[tuple[date, int, int]]  # (Monday, cramps, nights logged that week)
    week_pain: list[float | None]  # median pain of that week's cramps (None: none rated)
    pain: list[float]
    pain_points: list[tuple[date, int]]  # (night, pain) of every rated cramp
    durations: list[int]
    woke: int
    woke_known: int
    nights_woken: int
    muscles: Counter[str]
    sides: Counter[str] = field(default_factory=Counter)  # left/right/both; "" not said
    units: str = "metric"
    conditions: list[str] = field(default_factory=list)  # the saved assessment's
    triggers: TriggerReport | None = None
    triggers_error: str | None = None
    experiments: list[ExperimentLine] = field(default_factory=list)
    medicines: list[MedicineLine] = field(default_factory=list)
    assessment: dict[str, Any] | None = None
    assessed_on: date | None = None
    today: date | None = None

    @property
    def per_week(self) -> float | None:
        """Cramps per week, only when enough nights make a rate mean something."""
        return 7 * self.cramps / self.nights if self.nights >= MIN_RATE_NIGHTS else None


def _weeks(table: DayTable) -> list[tuple[date, int, int]]:
    if not table.dates:
        return []
    by_week: dict[date, list[int]] = {}
    for d, c in zip(table.dates, table.cramps, strict=True):
        by_week.setdefault(d - timedelta(days=d.weekday()), []).append(c)
    monday = min(by_week)
    out = []
    while monday <= max(by_week):
        counts = by_week.get(monday, [])
        out.append((monday, sum(counts), len(counts)))
        monday += timedelta(days=7)
    return out


def _week_pain(weeks: list[tuple[date, int, int]], episodes: list[Episode]) -> list[float | None]:
    by_week: dict[date, list[int]] = {}
    for e in episodes:
        if e.pain is not None:
            by_week.setdefault(e.night - timedelta(days=e.night.weekday()), []).append(e.pain)
    return [float(statistics.median(by_week[m])) if m in by_week else None for m, _, _ in weeks]


def _experiments(diary: ReportDiary, table: DayTable, today: date) -> list[ExperimentLine]:
    lines = []
    for record in sorted(diary.experiments(), key=lambda r: (r.created_at, r.id)):
        plan = ExperimentPlan.from_dict({
            "intervention": record.intervention, "periods": record.schedule,
            "washout_days": record.washout_days, "column": record.factor,
        })  # fmt: skip
        line = ExperimentLine(
            intervention_title(record.intervention), plan.start, plan.end, record.status
        )
        if today >= plan.start:
            result = analyze_plan(plan, table, today)
            line.verdict = result.verdict
            line.nights_on, line.nights_off = result.nights_on, result.nights_off
            line.probability_helps = result.probability_helps
            if result.effect is not None:
                low, high = result.effect.ci95
                line.rate_ratio, line.ci95 = result.effect.estimate, (low, high)
        lines.append(line)
    return lines


def _medicine_lines(meds: list[Medicine], assessment: dict[str, Any] | None) -> list[MedicineLine]:
    """Each diary medicine matched against the knowledge base (as `crampwise assess` does),
    then those the saved assessment names that the list lacks (same generic, shown once)."""
    knowledge = load_knowledge()
    saved = {str(e.get("input", "")).lower(): e for e in (assessment or {}).get("medications", [])}
    lines = []
    seen: set[str] = set()
    for med in meds:
        match = match_medicine(med.name, knowledge)
        linked: bool | None = match.linked_to_cramps if match.recognised else None
        label, generic = match.class_label, match.generic
        if linked is None and med.name.lower() in saved:
            entry = saved[med.name.lower()]
            linked = bool(entry.get("linked_to_cramps"))
            label, generic = entry.get("class"), entry.get("generic")
        seen.update({med.name.lower(), (generic or med.name).lower()})
        shown_generic = generic if generic and generic.lower() != med.name.lower() else None
        lines.append(MedicineLine(med.name, med.started, med.stopped, linked, label, shown_generic))
    for typed, entry in saved.items():
        generic = entry.get("generic")
        if typed in seen or (generic and str(generic).lower() in seen):
            continue
        seen.update({typed, str(generic or typed).lower()})
        name = str(entry.get("input", typed))
        linked = bool(entry["linked_to_cramps"]) if entry.get("generic") else None
        shown_generic = generic if generic and str(generic).lower() != typed else None
        line = MedicineLine(name, None, None, linked, entry.get("class"), shown_generic)
        line.from_assessment = True
        lines.append(line)
    return lines


def gather_report(
    diary: ReportDiary, user: str, first: date | None, last: date | None, today: date
) -> ReportData:
    """Collect the report's figures from a diary (nights first..last)."""
    full = diary.day_table()
    last = last or (full.dates[-1] if full.dates else today)
    first = first or (full.dates[0] if full.dates else last - timedelta(days=27))
    table = full.window(first, last)
    episodes: list[Episode] = diary.episodes(first, last)
    pains = [float(e.pain) for e in episodes if e.pain is not None]
    points = [(e.night, e.pain) for e in episodes if e.pain is not None]
    woke_known = [e.woke for e in episodes if e.woke is not None]
    data = ReportData(
        user=user, first=first, last=last, nights=len(table), cramps=sum(table.cramps),
        cramp_nights=sum(1 for c in table.cramps if c > 0), weeks=_weeks(table), pain=pains,
        pain_points=points, sides=Counter(e.side or "" for e in episodes), units=diary.units(),
        week_pain=_week_pain(_weeks(table), episodes),
        durations=[e.duration_s for e in episodes if e.duration_s is not None],
        woke=sum(1 for w in woke_known if w), woke_known=len(woke_known),
        nights_woken=len({e.night for e in episodes if e.woke}),
        muscles=Counter(e.muscle for e in episodes), today=today,
    )  # fmt: skip
    data.triggers = find_triggers(table)
    data.experiments = _experiments(diary, full, today)
    record = diary.latest_assessment()
    if record is not None:
        data.assessment, data.assessed_on = record.result, record.created_at.date()
        data.conditions = [str(c) for c in record.situation.get("conditions", [])]
    data.medicines = _medicine_lines(diary.medicines(), data.assessment)
    return data
