"""Medicines, n-of-1 experiments and saved assessments of one user."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from crampwise.diary.model import Medicine
from crampwise.errors import InputError, NotFoundError
from crampwise.store.base import DiaryBase, utc_now
from crampwise.store.tables import assessments, experiments, medicines

if TYPE_CHECKING:
    from crampwise.assess.personal import PersonalRules


@dataclass
class ExperimentRecord:
    """A stored experiment: its schedule (list of {start, end, condition}) and status."""

    id: int
    intervention: str
    schedule: list[dict[str, Any]]
    washout_days: int
    factor: str | None
    status: str  # active | stopped
    created_at: datetime
    stopped_at: datetime | None = None


@dataclass
class AssessmentRecord:
    """A stored assessment: the situation asked about and the result given (JSON)."""

    id: int
    created_at: datetime
    situation: dict[str, Any]
    result: dict[str, Any]


@dataclass
class ImportSummary:
    """What `import_day_table` changed (all zero when the file was already in the diary)."""

    days_added: int = 0
    days_changed: int = 0
    # Nights whose count of cramps not logged one by one was set or changed.
    nights_counted: int = 0
    factors_defined: list[str] = field(default_factory=list)
    # Nights where what was logged or typed by hand disagrees with the file (kept as it was).
    conflicts: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.days_added or self.days_changed or self.nights_counted or self.factors_defined
        )


def to_json(value: object) -> Any:
    """Plain JSON data from dicts, dataclasses, pydantic models, dates."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    return json.loads(json.dumps(value, default=_default))


def _default(value: object) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "value"):  # enums
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON data")


def _experiment(row: sa.Row[Any]) -> ExperimentRecord:
    return ExperimentRecord(
        id=row.id,
        intervention=row.intervention,
        schedule=list(row.schedule),
        washout_days=row.washout_days,
        factor=row.factor,
        status=row.status,
        created_at=row.created_at,
        stopped_at=row.stopped_at,
    )


def check_medicine(medicine: Medicine) -> Medicine:
    """`medicine` with its name trimmed, or InputError (bad name, stopped before started)."""
    name = medicine.name.strip()
    if not name or len(name) > 128:
        raise InputError("field 'medicine.name': 1–128 characters", field="medicine.name")
    if medicine.started and medicine.stopped and medicine.stopped < medicine.started:
        raise InputError(
            "field 'medicine.stopped': before the start date", field="medicine.stopped"
        )
    return dataclasses.replace(medicine, name=name)


def _medicine(row: sa.Row[Any]) -> Medicine:
    return Medicine(name=row.name, started=row.started, stopped=row.stopped, id=row.id)


class RecordsMixin(DiaryBase):
    """Medicine, experiment and assessment methods of `UserDiary`."""

    # --- medicines ----------------------------------------------------------------------
    def add_medicine(self, medicine: Medicine, source: str = "manual") -> Medicine:
        """Record a medicine; the same name and dates again returns the stored one."""
        checked = check_medicine(medicine)
        with self._write() as conn:
            return self._insert_medicine(conn, self._require_uid(conn), checked, source)

    def _insert_medicine(
        self, conn: sa.Connection, uid: int, medicine: Medicine, source: str
    ) -> Medicine:
        # `medicine` has passed `check_medicine`; an identical stored one is returned instead.
        name = medicine.name
        row = conn.execute(
            sa.select(medicines).where(
                medicines.c.user_id == uid,
                sa.func.lower(medicines.c.name) == name.lower(),
                medicines.c.started.is_(None)
                if medicine.started is None
                else medicines.c.started == medicine.started,
                medicines.c.stopped.is_(None)
                if medicine.stopped is None
                else medicines.c.stopped == medicine.stopped,
            )
        ).first()
        if row is not None:
            return _medicine(row)
        new_id = conn.execute(
            sa.insert(medicines)
            .values(
                user_id=uid,
                name=name,
                started=medicine.started,
                stopped=medicine.stopped,
                source=source,
                created_at=utc_now(),
            )
            .returning(medicines.c.id)
        ).scalar_one()
        return Medicine(name, medicine.started, medicine.stopped, new_id)

    def medicines(self) -> list[Medicine]:
        """The user's medicines, in the order they were added."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(medicines)
                .where(medicines.c.user_id == self._uid(conn))
                .order_by(medicines.c.id)
            )
            return [_medicine(row) for row in rows]

    def delete_medicine(self, medicine_id: int) -> None:
        """Delete one of the user's medicines (NotFoundError if it is not theirs)."""
        with self._write() as conn:
            result = conn.execute(
                sa.delete(medicines).where(
                    medicines.c.id == medicine_id, medicines.c.user_id == self._uid(conn)
                )
            )
            if not result.rowcount:
                raise NotFoundError(f"no medicine {medicine_id} in your diary")

    # --- experiments --------------------------------------------------------------------
    def save_experiment(
        self,
        intervention: str,
        schedule: Sequence[object],
        washout_days: int = 0,
        factor: str | None = None,
    ) -> ExperimentRecord:
        """Store a planned experiment; `schedule` items become {start, end, condition} JSON."""
        if not intervention.strip():
            raise InputError("field 'intervention': empty", field="intervention")
        if washout_days < 0:
            raise InputError("field 'washout_days': must be ≥ 0", field="washout_days")
        plan = [to_json(item) for item in schedule]
        now = utc_now()
        with self._write() as conn:
            uid = self._require_uid(conn)
            new_id = conn.execute(
                sa.insert(experiments)
                .values(
                    user_id=uid,
                    intervention=intervention.strip(),
                    factor=factor,
                    schedule=plan,
                    washout_days=washout_days,
                    status="active",
                    created_at=now,
                )
                .returning(experiments.c.id)
            ).scalar_one()
        return ExperimentRecord(
            new_id, intervention.strip(), plan, washout_days, factor, "active", now
        )

    def experiments(self) -> list[ExperimentRecord]:
        """The user's experiments, newest first."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(experiments)
                .where(experiments.c.user_id == self._uid(conn))
                .order_by(experiments.c.created_at.desc(), experiments.c.id.desc())
            )
            return [_experiment(row) for row in rows]

    def get_experiment(self, experiment_id: int) -> ExperimentRecord:
        """One experiment of this user, or NotFoundError."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(experiments).where(
                    experiments.c.id == experiment_id, experiments.c.user_id == self._uid(conn)
                )
            ).first()
        if row is None:
            raise NotFoundError(f"no experiment {experiment_id} in your diary")
        return _experiment(row)

    def stop_experiment(self, experiment_id: int) -> ExperimentRecord:
        """Mark an experiment stopped (stopping it twice keeps the first stop time)."""
        with self._write() as conn:
            conn.execute(
                sa.update(experiments)
                .where(
                    experiments.c.id == experiment_id,
                    experiments.c.user_id == self._uid(conn),
                    experiments.c.status == "active",
                )
                .values(status="stopped", stopped_at=utc_now())
            )
        return self.get_experiment(experiment_id)

    # --- assessments --------------------------------------------------------------------
    def save_assessment(self, situation: object, result: object) -> AssessmentRecord:
        """Keep an assessment (situation and result as JSON) so it can be shown again.

        The medicines it names join the medicine list (source "assessment") unless the list
        already holds one with the same generic name, so the report and the FHIR export,
        which read that list, show them.
        """
        record = AssessmentRecord(0, utc_now(), to_json(situation), to_json(result))
        if not isinstance(record.situation, Mapping) or not isinstance(record.result, Mapping):
            raise InputError("an assessment's situation and result must be JSON objects")
        typed = [str(m) for m in record.situation.get("medications") or [] if str(m).strip()]
        with self._write() as conn:
            uid = self._require_uid(conn)
            self._add_assessed_medicines(conn, uid, typed)
            record.id = conn.execute(
                sa.insert(assessments)
                .values(
                    user_id=uid,
                    created_at=record.created_at,
                    situation=record.situation,
                    result=record.result,
                )
                .returning(assessments.c.id)
            ).scalar_one()
        return record

    def _add_assessed_medicines(self, conn: sa.Connection, uid: int, typed: list[str]) -> None:
        if not typed:
            return
        from crampwise.assess.medicines import match_medicine  # the knowledge base, on use
        from crampwise.knowledge import load_knowledge

        kb = load_knowledge()

        def key(name: str) -> str:
            found = match_medicine(name, kb)
            return (found.generic if found.recognised and found.generic else name).lower()

        rows = conn.execute(
            sa.select(medicines.c.name).where(
                medicines.c.user_id == uid, medicines.c.stopped.is_(None)
            )
        )
        known = {key(row.name) for row in rows}
        for name in typed:
            if key(name) in known or len(name.strip()) > 128:
                continue
            known.add(key(name))
            self._insert_medicine(conn, uid, Medicine(name.strip()), "assessment")

    def personal_rules(self) -> PersonalRules:
        """What the latest saved assessment withholds or replaces (nothing without one)."""
        # Imported on use: the knowledge base is not needed to log a cramp.
        from crampwise.assess.personal import personal_rules as rules_for

        latest = self.latest_assessment()
        return rules_for(latest.situation if latest is not None else None)

    def latest_assessment(self) -> AssessmentRecord | None:
        """The most recent saved assessment, or None."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(assessments)
                .where(assessments.c.user_id == self._uid(conn))
                .order_by(assessments.c.created_at.desc(), assessments.c.id.desc())
                .limit(1)
            ).first()
        if row is None:
            return None
        return AssessmentRecord(row.id, row.created_at, dict(row.situation), dict(row.result))
