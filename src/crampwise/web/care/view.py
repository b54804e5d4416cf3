"""What a practitioner may see of a client: built scope by scope from the live share only.

`client_view` and `dashboard_rows` are the only ways practitioner pages read a client's
diary, and `open_share` is the gate (`crampwise.care.access`) on the care store that every
practitioner page and API route passes. Each part is filled only when the share grants its
scope, so data outside the consent is never even read, let alone sent. Every call is
audited as a practitioner read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

from crampwise.care.access import Refusal
from crampwise.care.access import open_share as gate
from crampwise.care.consent import Share, allowed
from crampwise.diary.daytable import DayTable
from crampwise.diary.model import Episode, Medicine
from crampwise.errors import NotFoundError
from crampwise.knowledge.labels import CONDITION_LABELS
from crampwise.store import Store
from crampwise.store.care.audit import Audit, Person
from crampwise.store.care.repository import CareStore
from crampwise.store.diary.records import AssessmentRecord, ExperimentRecord

if TYPE_CHECKING:  # the analysis module imports scipy: only the type checker needs it here
    from crampwise.analysis.results import TriggerReport

RECENT_DAYS = 28
# A therapist sees each cramp of the last this many nights (the diary scope).
CRAMP_LIST_DAYS = 56
URGENT_LEVELS = frozenset({"urgent", "emergency"})


class ClientDiary(Protocol):
    """What a practitioner's view reads of a client's diary (a `UserDiary`)."""

    def day_table(self) -> DayTable: ...

    def episodes(self, start: date | None = None, end: date | None = None) -> list[Episode]: ...

    def experiments(self) -> list[ExperimentRecord]: ...

    def latest_assessment(self) -> AssessmentRecord | None: ...

    def medicines(self) -> list[Medicine]: ...


@dataclass
class DiarySummary:
    """Scope `diary`: cramps per week and their trend, nights woken, the last entry."""

    dates: list[date]
    cramps: list[int]
    per_week: float | None  # per logged night x 7, over the last RECENT_DAYS days
    nights_logged: int  # in the last RECENT_DAYS days
    trend: str | None  # rising | falling | steady; None when too few nights
    nights_woken: int  # in the last RECENT_DAYS nights
    last_entry: date | None
    days_since_entry: int | None
    recent: list[tuple[date, int]] = field(default_factory=list)
    cramps_listed: list[Episode] = field(default_factory=list)  # newest first
    medicines: list[Medicine] = field(default_factory=list)


@dataclass
class InsightsSummary:
    """Scope `insights`: trigger findings and the client's experiments."""

    report: TriggerReport | None  # None until read (the dashboard never reads it)
    experiments: list[ExperimentRecord]

    @property
    def active_experiments(self) -> list[ExperimentRecord]:
        return [e for e in self.experiments if e.status == "active"]


@dataclass
class AssessmentSummary:
    """Scope `assessments`: the latest triage, with its reasons."""

    level: str
    assessed_on: date
    reasons: list[str]
    conditions: list[str] = field(default_factory=list)
    medications: list[str] = field(default_factory=list)  # as typed in the assessment

    @property
    def stands_out(self) -> bool:
        return self.level in URGENT_LEVELS


@dataclass
class ClientView:
    """A client as one practitioner may see them today; None = scope not granted."""

    share: Share
    diary: DiarySummary | None = None
    insights: InsightsSummary | None = None
    assessment: AssessmentSummary | None = None
    reports: bool = False

    @property
    def granted(self) -> frozenset[str]:
        return self.share.scopes


def cramp_trend(dates: list[date], cramps: list[int], today: date) -> str | None:
    """Cramps per night in the last 28 days against the 28 before (≥ 7 nights in each)."""
    recent = [c for d, c in zip(dates, cramps, strict=True) if 0 <= (today - d).days < 28]
    before = [c for d, c in zip(dates, cramps, strict=True) if 28 <= (today - d).days < 56]
    if len(recent) < 7 or len(before) < 7:
        return None
    now_rate, then_rate = sum(recent) / len(recent), sum(before) / len(before)
    # A change under a quarter (or under one cramp a week) is noise at this sample size.
    if abs(now_rate - then_rate) * 7 < 1 or abs(now_rate - then_rate) < 0.25 * then_rate:
        return "steady"
    return "rising" if now_rate > then_rate else "falling"


def diary_summary(diary: ClientDiary, today: date) -> DiarySummary:
    """The `diary` scope's figures from a UserDiary."""
    table = diary.day_table()
    dates, cramps = list(table.dates), list(table.cramps)
    first = today - timedelta(days=RECENT_DAYS - 1)
    window = [c for d, c in zip(dates, cramps, strict=True) if first <= d <= today]
    woken = {e.night for e in diary.episodes(start=first, end=today) if e.woke}
    last = max(dates) if dates else None
    return DiarySummary(
        dates=dates,
        cramps=cramps,
        per_week=7 * sum(window) / len(window) if window else None,
        nights_logged=len(window),
        trend=cramp_trend(dates, cramps, today),
        nights_woken=len(woken),
        last_entry=last,
        days_since_entry=(today - last).days if last else None,
        recent=[(d, c) for d, c in zip(dates, cramps, strict=True) if first <= d <= today],
        cramps_listed=list(
            reversed(diary.episodes(start=today - timedelta(days=CRAMP_LIST_DAYS - 1), end=today))
        ),
        medicines=[m for m in diary.medicines() if m.stopped is None or m.stopped >= today],
    )


def assessment_summary(diary: ClientDiary) -> AssessmentSummary | None:
    record = diary.latest_assessment()
    if record is None:
        return None
    triage = record.result.get("triage", {})
    reasons = [str(r.get("title", r.get("id", ""))) for r in triage.get("reasons", [])]
    situation = record.situation
    return AssessmentSummary(
        str(triage.get("level", "")),
        record.created_at.date(),
        reasons,
        conditions=[
            CONDITION_LABELS.get(str(c), str(c).replace("_", " "))
            for c in situation.get("conditions", [])
        ],
        medications=[str(m) for m in situation.get("medications", [])],
    )


def open_share(
    care: CareStore,
    practitioner: Person,
    client_id: int,
    today: date,
    address: str | None,
    scope: str | None = None,
) -> Share:
    """The gate for every practitioner read: the share in force, read now, granting `scope`
    (None: any); else a denied read in the audit trail and NotFoundError (404, no hint why)."""
    decision = gate(care.share_for(practitioner.id, client_id, today), scope, today)
    if isinstance(decision, Refusal):
        subject = care.person(client_id) or Person(client_id, "")
        care.record(Audit("practitioner_read", "denied", practitioner, subject, address))
        raise NotFoundError(f"no client {client_id}")
    return decision


def client_view(
    care: CareStore,
    store: Store,
    practitioner: Person,
    client_id: int,
    today: date,
    address: str | None = None,
    *,
    with_triggers: bool = True,
    page: str = "client",
) -> ClientView:
    """Everything the share allows, read now; NotFoundError when no share is in force."""
    share = open_share(care, practitioner, client_id, today, address)
    diary = store.diary(share.client_name, create=False)
    view = ClientView(share, reports=allowed(share, "reports", today))
    if allowed(share, "diary", today):
        view.diary = diary_summary(diary, today)
    if allowed(share, "insights", today):
        report = None
        if with_triggers:
            # Imported here: the trigger analysis pulls in scipy (~0.5 s), which a practitioner
            # page that never analyses (the dashboard) should not wait for.
            from crampwise.analysis.triggers import find_triggers

            report = find_triggers(diary.day_table())
        view.insights = InsightsSummary(report, diary.experiments())
    if allowed(share, "assessments", today):
        view.assessment = assessment_summary(diary)
    client = Person(share.client_id, share.client_name)
    detail = f"page={page}; scopes=" + ",".join(sorted(share.scopes))
    care.record(Audit("practitioner_read", "success", practitioner, client, address, detail))
    return view


def dashboard_rows(
    care: CareStore, store: Store, practitioner: Person, today: date, address: str | None = None
) -> list[ClientView]:
    """One summary per client sharing today (no trigger analysis: the dashboard stays fast)."""
    rows = []
    for share in care.clients_of(practitioner.id, today):
        try:
            rows.append(
                client_view(
                    care,
                    store,
                    practitioner,
                    share.client_id,
                    today,
                    address,
                    with_triggers=False,
                    page="dashboard",
                )
            )
        except NotFoundError:  # revoked between the listing and the read
            continue
    return rows
