"""FHIR R5 export/import: validated by fhir.resources, standard codes, exact round trip."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from fhir.resources.bundle import Bundle

from crampwise.diary.model import CustomFactor, DayLog, Episode
from crampwise.errors import InputError
from crampwise.interop.fhir import export_diary, import_diary, read_bundle
from crampwise.interop.fhir.codes import CRAMP_CODE
from crampwise.store import Store

from .conftest import Planted


def _episodes(diary: object) -> list[Episode]:
    return [replace(e, id=None) for e in diary.episodes()]  # type: ignore[attr-defined]


def _codes(resource: dict[str, object], key: str = "code") -> set[tuple[str, str]]:
    concept = resource.get(key) or {}
    return {(c["system"], c["code"]) for c in concept.get("coding", [])}  # type: ignore[attr-defined]


def test_bundle_validates_and_uses_standard_codes(planted: Planted) -> None:
    bundle = export_diary(planted.diary, "alice")
    parsed = Bundle.model_validate(bundle)  # the FHIR R5 models accept it as it is written
    assert parsed.type == "collection"
    resources = [e["resource"] for e in bundle["entry"]]
    cramps = [r for r in resources if ("http://snomed.info/sct", CRAMP_CODE[1]) in _codes(r)]
    assert len(cramps) == planted.episodes
    first = cramps[0]
    assert ("http://snomed.info/sct", "53840002") in _codes(first, "bodySite")  # calf
    components = {next(iter(_codes(c))): c for c in first["component"]}
    assert components[("http://loinc.org", "72514-3")]["valueInteger"] == 5
    duration = components[("https://crampwise.example/fhir/CodeSystem/episode", "duration")]
    assert duration["valueQuantity"] == {
        "value": 30, "unit": "s", "system": "http://unitsofmeasure.org", "code": "s"
    }  # fmt: skip
    temps = [
        r
        for r in resources
        if ("https://crampwise.example/fhir/CodeSystem/day-factor", "bedroom_temp_c") in _codes(r)
    ]
    assert len(temps) == 84 and temps[0]["valueQuantity"]["code"] == "Cel"
    meds = [r for r in resources if r["resourceType"] == "MedicationStatement"]
    assert [m["medication"]["concept"]["text"] for m in meds] == ["furosemide"]
    [patient] = [r for r in resources if r["resourceType"] == "Patient"]
    assert patient["identifier"][0]["value"] == "alice" and "gender" not in patient
    planted.diary.save_assessment({"person": {"sex": "female", "age": 67}}, {"triage": {}})
    again = export_diary(planted.diary, "alice")["entry"]
    assert [
        e["resource"].get("gender") for e in again if e["resource"]["resourceType"] == "Patient"
    ] == ["female"]


def test_steps_and_sleep_carry_loinc_codes(store: Store) -> None:
    diary = store.diary("dan")
    diary.put_day(
        DayLog(__import__("datetime").date(2026, 2, 1), {"steps": 9000.0, "sleep_hours": 6.5})
    )
    resources = [e["resource"] for e in export_diary(diary, "dan")["entry"]]
    loinc = {c for r in resources for s, c in _codes(r) if s == "http://loinc.org"}
    assert {"55423-8", "93832-4"} <= loinc


def test_round_trip_into_a_fresh_user_gives_the_same_diary(store: Store, planted: Planted) -> None:
    source = planted.diary
    source.define_factor(CustomFactor("coffee_cups", "numeric", "cups"))
    source.define_factor(CustomFactor("mood", "categorical"))
    day = source.days()[3].date
    source.put_day(DayLog(day, {"coffee_cups": 3.0, "mood": "tired"}))
    text = json.dumps(export_diary(source, "alice"))
    copy = store.diary("bob")
    import_diary(copy, text)
    assert _episodes(copy) == _episodes(source)
    assert copy.days() == source.days()
    assert [replace(m, id=None) for m in copy.medicines()] == [
        replace(m, id=None) for m in source.medicines()
    ]
    assert {(f.name, f.kind, f.unit) for f in copy.custom_factors()} >= {
        ("coffee_cups", "numeric", "cups"), ("mood", "categorical", None)
    }  # fmt: skip
    # importing the same bundle again adds nothing
    import_diary(copy, text)
    assert len(copy.episodes()) == planted.episodes
    assert len(copy.medicines()) == 1
    assert export_diary(copy, "alice")["entry"] == export_diary(source, "alice")["entry"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b["entry"][1]["resource"].__setitem__("colour", "red"), "colour"),
        (lambda b: b.__setitem__("resourceType", "Patient"), "Bundle"),
        (
            lambda b: b["entry"][1]["resource"].__setitem__("effectiveDateTime", "yesterday"),
            "effective",
        ),
        # valid FHIR, but the pain component has lost its value: not our diary's shape
        (lambda b: b["entry"][1]["resource"]["component"][0].pop("valueInteger"), r"entry\[1\]"),
    ],
)
def test_invalid_bundles_are_refused_before_writing(
    store: Store, planted: Planted, mutate: object, message: str
) -> None:
    bundle = export_diary(planted.diary, "alice")
    mutate(bundle)  # type: ignore[operator]
    target = store.diary("eve")
    with pytest.raises(InputError, match=message):
        import_diary(target, json.dumps(bundle))
    assert target.episodes() == [] and target.days() == []


def test_a_factor_of_another_kind_is_refused_before_writing(store: Store, planted: Planted) -> None:
    planted.diary.define_factor(CustomFactor("mood", "categorical"))
    planted.diary.put_day(DayLog(planted.first, {"mood": "tired"}))
    target = store.diary("fay")
    target.define_factor(CustomFactor("mood", "numeric"))
    with pytest.raises(InputError, match="mood"):
        import_diary(target, json.dumps(export_diary(planted.diary, "alice")))
    assert target.episodes() == [] and target.days() == []


def test_not_json_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="not JSON"):
        read_bundle("{oops")


def test_cli_export_and_import(planted: Planted, store: Store, tmp_path: Path) -> None:
    env = dict(os.environ, CRAMPWISE_DATABASE_URL=store.engine.url.render_as_string(False))
    exe = Path(sys.executable).with_name("crampwise")
    out = tmp_path / "bundle.json"
    done = subprocess.run(
        [exe, "--user", "alice", "export", "fhir", "-o", out],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    back = subprocess.run(
        [exe, "--user", "carol", "import", "fhir", out, "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert back.returncode == 0, back.stderr
    assert json.loads(back.stdout)["episodes"] == planted.episodes
    assert len(store.diary("carol").episodes()) == planted.episodes
