"""Day logs and custom factors of one user (the daily table is `nights.py`'s)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa

from crampwise.diary.model import (
    BUILTIN_BY_NAME,
    BUILTIN_FACTORS,
    CustomFactor,
    DayLog,
    FactorValue,
    check_builtin_value,
    check_custom_factor,
    check_factor_value,
)
from crampwise.errors import InputError
from crampwise.store.base import DiaryBase, utc_now
from crampwise.store.tables import SOURCES, custom_factors, custom_values, day_logs

BUILTIN_NAMES = tuple(spec.name for spec in BUILTIN_FACTORS)


def encode_custom(kind: str, value: FactorValue) -> str:
    """Custom values are stored as text: numbers in repr form, booleans as true/false."""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "numeric":
        return repr(float(value))
    return str(value)


def decode_custom(kind: str, text: str) -> FactorValue:
    if kind == "boolean":
        return text == "true"
    if kind == "numeric":
        return float(text)
    return text


def _row_factor(row: sa.Row[Any]) -> tuple[int, CustomFactor]:
    return row.id, CustomFactor(row.name, row.kind, row.unit, tuple(row.choices or ()))


class DaysMixin(DiaryBase):
    """Day-log and custom-factor methods of `UserDiary`."""

    # --- custom factors -------------------------------------------------------------
    def define_factor(self, factor: CustomFactor) -> CustomFactor:
        """Define a factor of one's own; defining the same one again changes nothing."""
        new = check_custom_factor(factor)
        with self._write() as conn:
            return self._define_factor(conn, self._require_uid(conn), new)

    def _define_factor(self, conn: sa.Connection, uid: int, new: CustomFactor) -> CustomFactor:
        existing = self._factors(conn, uid).get(new.name)
        if existing is not None:
            old = existing[1]
            if old.kind != new.kind:
                raise InputError(
                    f"field 'factor.kind': {new.name!r} is already defined as {old.kind}",
                    field="factor.kind",
                )
            return old
        conn.execute(
            sa.insert(custom_factors).values(
                user_id=uid,
                name=new.name,
                kind=new.kind,
                unit=new.unit,
                choices=list(new.choices),
                created_at=utc_now(),
            )
        )
        return new

    def _factors(self, conn: sa.Connection, uid: int | None) -> dict[str, tuple[int, CustomFactor]]:
        if uid is None:
            return {}
        rows = conn.execute(
            sa.select(custom_factors)
            .where(custom_factors.c.user_id == uid)
            .order_by(custom_factors.c.id)
        )
        return {row.name: _row_factor(row) for row in rows}

    def custom_factors(self) -> list[CustomFactor]:
        """The user's own factors in the order they were defined."""
        with self._read() as conn:
            return [f for _, f in self._factors(conn, self._uid(conn)).values()]

    # --- day logs -----------------------------------------------------------------------
    def put_day(self, log: DayLog, source: str = "manual") -> DayLog:
        """Merge `log` into the stored day (see the package docstring); returns the result."""
        self.put_days([log], source)
        found = self.get_day(log.date)
        assert found is not None
        return found

    def put_days(self, logs: Iterable[DayLog], source: str = "manual") -> int:
        """Merge many days in one transaction; returns how many days changed."""
        if source not in SOURCES:
            raise InputError(
                f"source {source!r} is not one of: {', '.join(SOURCES)}", field="source"
            )
        items = list(logs)
        with self._write() as conn:
            uid = self._require_uid(conn)
            factors = self._factors(conn, uid)
            checked = [(log.date, self._check_values(log.values, factors)) for log in items]
            return sum(self._merge_day(conn, uid, d, v, source, factors) for d, v in checked)

    def _check_values(
        self, values: Mapping[str, object], factors: Mapping[str, tuple[int, CustomFactor]]
    ) -> dict[str, FactorValue | None]:
        checked: dict[str, FactorValue | None] = {}
        for name, value in values.items():
            if name in BUILTIN_BY_NAME:
                checked[name] = None if value is None else check_builtin_value(name, value)
            elif name in factors:
                f = factors[name][1]
                checked[name] = (
                    None
                    if value is None
                    else check_factor_value(name, f.kind, value, choices=f.choices)
                )
            else:
                allowed = [*BUILTIN_NAMES, *factors]
                raise InputError(
                    f"field 'day.{name}': unknown factor (known: {', '.join(allowed)}; "
                    "define your own with `crampwise factor define`)",
                    field=name,
                )
        return checked

    def _merge_day(
        self,
        conn: sa.Connection,
        uid: int,
        day: date,
        values: Mapping[str, FactorValue | None],
        source: str,
        factors: Mapping[str, tuple[int, CustomFactor]],
    ) -> bool:
        row = conn.execute(
            sa.select(day_logs).where(day_logs.c.user_id == uid, day_logs.c.date == day)
        ).first()
        sources: dict[str, str] = dict(row.sources) if row is not None else {}
        current = self._custom_on(conn, uid, day, factors)
        if row is not None:
            current.update({n: getattr(row, n) for n in BUILTIN_NAMES})
        changes: dict[str, FactorValue | None] = {}
        for name, value in values.items():
            old = current.get(name)
            if value is None:
                # Only a person clears a value; an import's empty cell means "unknown".
                if source == "manual" and old is not None:
                    changes[name] = None
                    sources.pop(name, None)
                continue
            if source != "manual" and sources.get(name) == "manual" and old is not None:
                continue
            if old == value and sources.get(name) == source:
                continue
            changes[name] = value
            sources[name] = source
        if row is not None and not changes:
            return False
        builtin = {n: v for n, v in changes.items() if n in BUILTIN_BY_NAME}
        if row is None:
            conn.execute(
                sa.insert(day_logs).values(
                    user_id=uid, date=day, sources=sources, updated_at=utc_now(), **builtin
                )
            )
        else:
            conn.execute(
                sa.update(day_logs)
                .where(day_logs.c.id == row.id)
                .values(sources=sources, updated_at=utc_now(), **builtin)
            )
        for name, value in changes.items():
            if name in factors:
                self._set_custom(conn, uid, day, factors[name], value, source)
        return True

    def _custom_on(
        self,
        conn: sa.Connection,
        uid: int,
        day: date,
        factors: Mapping[str, tuple[int, CustomFactor]],
    ) -> dict[str, FactorValue | None]:
        if not factors:
            return {}
        by_id = dict(factors.values())
        rows = conn.execute(
            sa.select(custom_values.c.factor_id, custom_values.c.value).where(
                custom_values.c.user_id == uid, custom_values.c.date == day
            )
        )
        return {
            by_id[r.factor_id].name: decode_custom(by_id[r.factor_id].kind, r.value) for r in rows
        }

    def _set_custom(
        self,
        conn: sa.Connection,
        uid: int,
        day: date,
        factor: tuple[int, CustomFactor],
        value: FactorValue | None,
        source: str,
    ) -> None:
        fid, spec = factor
        where = (
            custom_values.c.user_id == uid,
            custom_values.c.date == day,
            custom_values.c.factor_id == fid,
        )
        conn.execute(sa.delete(custom_values).where(*where))
        if value is not None:
            conn.execute(
                sa.insert(custom_values).values(
                    user_id=uid,
                    date=day,
                    factor_id=fid,
                    value=encode_custom(spec.kind, value),
                    source=source,
                )
            )

    def get_day(self, day: date) -> DayLog | None:
        """The stored day (only the values that are set), or None when never logged."""
        found = self.days(day, day)
        return found[0] if found else None

    def days(self, start: date | None = None, end: date | None = None) -> list[DayLog]:
        """Logged days within [start, end], oldest first; values hold only what is set."""
        with self._read() as conn:
            uid = self._uid(conn)
            if uid is None:
                return []
            return self._days(conn, uid, start, end)

    def _days(
        self, conn: sa.Connection, uid: int, start: date | None, end: date | None
    ) -> list[DayLog]:
        query = sa.select(day_logs).where(day_logs.c.user_id == uid)
        cquery = (
            sa.select(
                custom_values.c.date,
                custom_values.c.value,
                custom_factors.c.name,
                custom_factors.c.kind,
            )
            .join(custom_factors, custom_factors.c.id == custom_values.c.factor_id)
            .where(custom_values.c.user_id == uid)
            .order_by(custom_factors.c.id)
        )
        if start is not None:
            query = query.where(day_logs.c.date >= start)
            cquery = cquery.where(custom_values.c.date >= start)
        if end is not None:
            query = query.where(day_logs.c.date <= end)
            cquery = cquery.where(custom_values.c.date <= end)
        logs: dict[date, DayLog] = {}
        for row in conn.execute(query.order_by(day_logs.c.date)):
            values = {n: getattr(row, n) for n in BUILTIN_NAMES if getattr(row, n) is not None}
            logs[row.date] = DayLog(row.date, values)
        for row in conn.execute(cquery):
            if row.date in logs:
                logs[row.date].values[row.name] = decode_custom(row.kind, row.value)
        return list(logs.values())

    def delete_day(self, day: date) -> bool:
        """Delete one day's log, custom values and unlogged count (its episodes stay)."""
        with self._write() as conn:
            uid = self._uid(conn)
            if uid is None:
                return False
            conn.execute(
                sa.delete(custom_values).where(
                    custom_values.c.user_id == uid, custom_values.c.date == day
                )
            )
            result = conn.execute(
                sa.delete(day_logs).where(day_logs.c.user_id == uid, day_logs.c.date == day)
            )
            return bool(result.rowcount)
