"""A whole diary as plain data and back, losslessly (`crampwise export json` / `import json`).

`dump()` gives every field a person can enter, as JSON-ready data in a fixed order:
settings, custom factors, episodes, days (values, where each came from, cramps counted
without times), medicines, saved assessments, experiments and the care-team notes the
user kept in their plan. `load()` checks each record with the same rules as every other
path and writes them in ONE transaction: any error writes nothing. Record-keeping fields
nobody types (row ids, `updated_at`) are not carried. The file around this data (format
name, version, size limits) is `crampwise.interop.jsonexport`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from crampwise.errors import InputError
from crampwise.store.base import utc_now
from crampwise.store.care.tables import care_notes
from crampwise.store.diary.days import BUILTIN_NAMES, decode_custom, encode_custom
from crampwise.store.diary.episodes import EpisodesMixin
from crampwise.store.diary.nights import NightsMixin
from crampwise.store.diary.portable_check import (
    SECTIONS,
    check_assessment,
    check_day,
    check_episode_data,
    check_experiment,
    check_factor,
    check_medicine_data,
    check_note,
    check_settings,
    fail,
)
from crampwise.store.tables import (
    assessments,
    custom_factors,
    custom_values,
    day_logs,
    episodes,
    experiments,
    medicines,
    users,
)

_OWN_TABLES = (
    custom_values,
    custom_factors,
    day_logs,
    episodes,
    medicines,
    experiments,
    assessments,
)


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class PortableMixin(EpisodesMixin, NightsMixin):
    """`UserDiary.dump`, `UserDiary.load` and `UserDiary.is_empty`."""

    def dump(self) -> dict[str, Any]:
        """Everything the user entered, as JSON-ready data (same diary → same data)."""
        with self._read() as conn:
            uid = self._uid(conn)
            user = conn.execute(sa.select(users).where(users.c.id == uid)).first()
            if uid is None or user is None:
                return {"settings": {"units": "metric", "display_name": None}} | {
                    name: [] for name in SECTIONS
                }
            return {
                "settings": {"units": user.units, "display_name": user.display_name},
                "factors": self._dump_factors(conn, uid),
                "episodes": [_episode(r) for r in _rows(conn, episodes, uid, "started_at")],
                "days": self._dump_days(conn, uid),
                "medicines": [_medicine(r) for r in _rows(conn, medicines, uid, "created_at")],
                "assessments": [
                    {"created_at": _iso(r.created_at), "situation": r.situation, "result": r.result}
                    for r in _rows(conn, assessments, uid, "created_at")
                ],
                "experiments": [
                    _experiment(r) for r in _rows(conn, experiments, uid, "created_at")
                ],
                "care_notes": _dump_notes(conn, uid),
            }

    def _dump_factors(self, conn: sa.Connection, uid: int) -> list[dict[str, Any]]:
        return [
            {"name": f.name, "kind": f.kind, "unit": f.unit, "choices": list(f.choices)}
            for _, f in self._factors(conn, uid).values()
        ]

    def _dump_days(self, conn: sa.Connection, uid: int) -> list[dict[str, Any]]:
        factors = dict(self._factors(conn, uid).values())
        custom: dict[date, dict[str, Any]] = {}
        for row in conn.execute(
            sa.select(custom_values)
            .where(custom_values.c.user_id == uid)
            .order_by(custom_values.c.date, custom_values.c.factor_id)
        ):
            spec = factors[row.factor_id]
            custom.setdefault(row.date, {})[spec.name] = decode_custom(spec.kind, row.value)
        days = []
        for row in _rows(conn, day_logs, uid, "date"):
            values = {n: getattr(row, n) for n in BUILTIN_NAMES if getattr(row, n) is not None}
            values.update(custom.get(row.date, {}))
            days.append(
                {
                    "date": row.date.isoformat(),
                    "values": values,
                    "sources": dict(sorted((row.sources or {}).items())),
                    "unlogged_cramps": row.unlogged_cramps,
                    "unlogged_pain": row.unlogged_pain,
                }
            )
        return days

    def is_empty(self) -> bool:
        """Whether the diary holds nothing (care-team notes aside)."""
        with self._read() as conn:
            uid = self._uid(conn)
            return uid is None or not any(_count(conn, t, uid) for t in _OWN_TABLES)

    def load(self, data: Mapping[str, Any], *, replace: bool = False) -> dict[str, int]:
        """Write `dump()`-shaped data into this diary; returns how many records of each kind.

        The diary must be empty, unless `replace` (then its records are deleted first, in the
        same transaction). Any bad record raises InputError naming it, and nothing is written.
        """
        unknown = sorted(set(data) - {"settings", *SECTIONS})
        if unknown:
            fail(unknown[0], "unknown section")
        settings = check_settings(data.get("settings", {}))
        factors = [check_factor(f"factors[{i}]", f) for i, f in enumerate(_list(data, "factors"))]
        eps = [
            check_episode_data(f"episodes[{i}]", e) for i, e in enumerate(_list(data, "episodes"))
        ]
        meds = [
            check_medicine_data(f"medicines[{i}]", m)
            for i, m in enumerate(_list(data, "medicines"))
        ]
        saved = [
            check_assessment(f"assessments[{i}]", a)
            for i, a in enumerate(_list(data, "assessments"))
        ]
        trials = [
            check_experiment(f"experiments[{i}]", x)
            for i, x in enumerate(_list(data, "experiments"))
        ]
        notes = [check_note(f"care_notes[{i}]", n) for i, n in enumerate(_list(data, "care_notes"))]
        days = [check_day(f"days[{i}]", d) for i, d in enumerate(_list(data, "days"))]
        with self._write() as conn:
            uid = self._require_uid(conn)
            if any(_count(conn, t, uid) for t in _OWN_TABLES):
                if not replace:
                    raise InputError(
                        "your diary is not empty: import into an empty diary, or replace "
                        "everything in it (--replace)",
                        field="replace",
                    )
                for table in _OWN_TABLES:
                    conn.execute(sa.delete(table).where(table.c.user_id == uid))
            conn.execute(sa.update(users).where(users.c.id == uid).values(**settings))
            for factor in factors:
                self._define_factor(conn, uid, factor)
            for episode in eps:
                self._insert_episode(conn, uid, episode)
            self._load_days(conn, uid, days)
            for values in meds:
                conn.execute(sa.insert(medicines).values(user_id=uid, **values))
            for values in saved:
                conn.execute(sa.insert(assessments).values(user_id=uid, **values))
            for values in trials:
                conn.execute(sa.insert(experiments).values(user_id=uid, **values))
            added_notes = _load_notes(conn, uid, notes)
        return {
            "factors": len(factors),
            "episodes": len(eps),
            "days": len(days),
            "medicines": len(meds),
            "assessments": len(saved),
            "experiments": len(trials),
            "care_notes": added_notes,
        }

    def _load_days(self, conn: sa.Connection, uid: int, days: list[dict[str, Any]]) -> None:
        factors = self._factors(conn, uid)
        now = utc_now()
        for i, day in enumerate(days):
            try:
                checked = self._check_values(day["values"], factors)
            except InputError as exc:
                fail(f"days[{i}]", str(exc))
            builtin = {n: v for n, v in checked.items() if n in BUILTIN_NAMES}
            conn.execute(
                sa.insert(day_logs).values(
                    user_id=uid,
                    date=day["date"],
                    sources=day["sources"],
                    updated_at=now,
                    unlogged_cramps=day["unlogged_cramps"],
                    unlogged_pain=day["unlogged_pain"],
                    **builtin,
                )
            )
            for name, value in checked.items():
                if name in factors and value is not None:
                    fid, spec = factors[name]
                    conn.execute(
                        sa.insert(custom_values).values(
                            user_id=uid,
                            date=day["date"],
                            factor_id=fid,
                            value=encode_custom(spec.kind, value),
                            source=day["sources"].get(name, "manual"),
                        )
                    )


def _list(data: Mapping[str, Any], name: str) -> list[Any]:
    items = data.get(name, [])
    if not isinstance(items, list):
        fail(name, "expected a list")
    return items


def _count(conn: sa.Connection, table: sa.Table, uid: int) -> int:
    return int(
        conn.execute(
            sa.select(sa.func.count()).select_from(table).where(table.c.user_id == uid)
        ).scalar_one()
    )


def _rows(conn: sa.Connection, table: sa.Table, uid: int, order: str) -> list[sa.Row[Any]]:
    query = sa.select(table).where(table.c.user_id == uid)
    return list(conn.execute(query.order_by(table.c[order], table.c.id)))


def _episode(row: sa.Row[Any]) -> dict[str, Any]:
    return {
        "started_at": _iso(row.started_at),
        "muscle": row.muscle,
        "side": row.side,
        "duration_s": row.duration_s,
        "pain": row.pain,
        "woke": row.woke,
        "helped": list(row.helped or []),
        "note": row.note,
        "origin": row.origin,
        "client_id": row.client_id,
    }


def _medicine(row: sa.Row[Any]) -> dict[str, Any]:
    return {
        "name": row.name,
        "started": _iso(row.started),
        "stopped": _iso(row.stopped),
        "source": row.source,
        "created_at": _iso(row.created_at),
    }


def _experiment(row: sa.Row[Any]) -> dict[str, Any]:
    return {
        "intervention": row.intervention,
        "factor": row.factor,
        "schedule": row.schedule,
        "washout_days": row.washout_days,
        "status": row.status,
        "created_at": _iso(row.created_at),
        "stopped_at": _iso(row.stopped_at),
    }


def _dump_notes(conn: sa.Connection, uid: int) -> list[dict[str, Any]]:
    author = users.alias("author")
    rows = conn.execute(
        sa.select(care_notes, author.c.name.label("author"))
        .join(author, author.c.id == care_notes.c.practitioner_id)
        .where(care_notes.c.client_id == uid, care_notes.c.in_plan_at.is_not(None))
        .order_by(care_notes.c.created_at, care_notes.c.id)
    )
    return [
        {
            "from": r.author,
            "text": r.text,
            "created_at": _iso(r.created_at),
            "in_plan_at": _iso(r.in_plan_at),
        }
        for r in rows
    ]


def _load_notes(conn: sa.Connection, uid: int, notes: list[dict[str, Any]]) -> int:
    """Kept notes whose practitioner has an account here; the same note twice is kept once."""
    added = 0
    for i, note in enumerate(notes):
        author = conn.execute(
            sa.select(users.c.id).where(users.c.name == note["from"])
        ).scalar_one_or_none()
        if author is None:
            fail(
                f"care_notes[{i}].from",
                f"no account named {note['from']!r} here to have written this note; "
                "ask them to join first, or remove the note from the file",
            )
        same = conn.execute(
            sa.select(care_notes.c.id).where(
                care_notes.c.client_id == uid,
                care_notes.c.practitioner_id == author,
                care_notes.c.text == note["text"],
                care_notes.c.created_at == note["created_at"],
            )
        ).first()
        if same is None:
            conn.execute(
                sa.insert(care_notes).values(
                    client_id=uid,
                    practitioner_id=author,
                    text=note["text"],
                    created_at=note["created_at"],
                    in_plan_at=note["in_plan_at"],
                )
            )
            added += 1
    return added
