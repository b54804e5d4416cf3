"""The questionnaire's plain questions for the newer warning signs, asked only when relevant,
and temperatures typed with their unit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from crampwise.assess.assessment import assess
from crampwise.assess.questionnaire import (
    EMERGENCY_SIGNS,
    OTHER_SIGNS,
    URGENT_SIGNS,
    ask_situation,
    parse_temperature,
)
from crampwise.knowledge import Knowledge


class Script:
    """Answers by question: the first answer whose key is in the prompt; Enter otherwise."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.prompts: list[str] = []

    def ask(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return next((a for key, a in self.answers.items() if key in prompt), "")

    def run(self) -> dict[str, Any]:
        return ask_situation(self.ask, lambda _s: None)


def _numbers(options: tuple[tuple[str, str], ...], *ids: str) -> str:
    return ",".join(str([o[0] for o in options].index(i) + 1) for i in ids)


def sequence(answers: list[str]) -> Iterator[str]:
    yield from answers
    while True:
        yield ""


def test_every_emergency_sign_on_the_first_list_stops_the_questions(kb: Knowledge) -> None:
    for i, (symptom, _label) in enumerate(EMERGENCY_SIGNS, 1):
        answers = sequence([str(i)])

        def ask(_prompt: str, answers: Iterator[str] = answers) -> str:
            return next(answers)

        situation = ask_situation(ask, lambda _s: None)
        assert situation == {"symptoms": [symptom]}
        assert assess(situation, kb).triage.level == "emergency", symptom


def test_the_first_list_offers_the_new_emergency_signs_in_plain_words() -> None:
    ids = [s for s, _ in EMERGENCY_SIGNS]
    for symptom in (
        "face_arm_speech_problem",
        "tense_swelling_pain_on_stretch",
        "stiff_jaw_or_spasms_after_wound",
    ):
        assert symptom in ids
    for _, label in (*EMERGENCY_SIGNS, *URGENT_SIGNS, *OTHER_SIGNS):
        assert "_" not in label and "=" not in label
    words = dict((*EMERGENCY_SIGNS, *URGENT_SIGNS))
    assert "new or sudden" in words["short_of_breath"]
    assert "more than a day" in words["calf_pain_persists"]


def test_an_ordinary_run_asks_none_of_the_follow_up_questions() -> None:
    script = Script({"Age": "60"})
    situation = script.run()
    asked = " ".join(script.prompts)
    for follow_up in ("genitals", "hang the leg", "marathon", "still going on"):
        assert follow_up not in asked
    assert situation == {"person": {"age": 60}}


def test_back_pain_leads_to_the_saddle_question_and_an_emergency(kb: Knowledge) -> None:
    answers = sequence(["", "", _numbers(OTHER_SIGNS, "back_pain_into_leg"), "y"])
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    situation = ask_situation(ask, lambda _s: None)
    assert any("genitals" in p for p in prompts)
    assert situation["symptoms"] == ["back_pain_into_leg", "saddle_numbness_or_bladder_change"]
    assert assess(situation, kb).triage.level == "emergency"


def test_a_narrowed_spinal_canal_leads_to_the_saddle_question_once(kb: Knowledge) -> None:
    answers = sequence(["", "", "", "70", "", "", "", "14", "y"])
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    situation = ask_situation(ask, lambda _s: None)
    assert sum("genitals" in p for p in prompts) == 1
    assert situation["conditions"] == ["lumbar_spinal_stenosis"]
    assert situation["symptoms"] == ["saddle_numbness_or_bladder_change"]
    assert assess(situation, kb).triage.level == "emergency"


def test_a_follow_up_answered_no_is_not_asked_again() -> None:
    # Back pain and a narrowed spinal canal both lead to the saddle question; vomiting and
    # a long exercise day both lead to the endurance question: each is asked once.
    lists = sequence(
        [
            "",
            _numbers(URGENT_SIGNS, "vomiting_or_diarrhoea"),
            _numbers(OTHER_SIGNS, "back_pain_into_leg"),
            "14",
        ]
    )
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        if prompt.startswith("Numbers"):
            return next(lists)
        if "Minutes of exercise" in prompt:
            return "180"
        return "n" if "genitals" in prompt or "marathon" in prompt else ""

    situation = ask_situation(ask, lambda _s: None)
    assert sum("genitals" in p for p in prompts) == 1
    assert sum("marathon" in p for p in prompts) == 1
    assert situation["conditions"] == ["lumbar_spinal_stenosis"]
    assert situation["symptoms"] == ["vomiting_or_diarrhoea", "back_pain_into_leg"]


def test_vomiting_leads_to_the_endurance_question(kb: Knowledge) -> None:
    answers = sequence(["", _numbers(URGENT_SIGNS, "vomiting_or_diarrhoea"), "y"])
    situation = ask_situation(lambda _p: next(answers), lambda _s: None)
    assert situation["symptoms"] == ["vomiting_or_diarrhoea", "after_endurance_event"]
    assert assess(situation, kb).triage.level == "urgent"


def test_diabetes_leads_to_the_rest_pain_question(kb: Knowledge) -> None:
    answers = sequence(["", "", "", "70", "", "", "", "4", "y"])
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    situation = ask_situation(ask, lambda _s: None)
    assert any("hang the leg" in p for p in prompts)
    assert situation["conditions"] == ["diabetes"]
    assert "rest_pain_relieved_hanging_leg" in situation["symptoms"]
    assert assess(situation, kb).triage.level == "urgent"


@pytest.mark.parametrize(("minutes", "asked"), [("15", True), ("10", False), ("2", False)])
def test_only_a_cramp_over_ten_minutes_asks_whether_it_is_still_going(
    minutes: str, asked: bool, kb: Knowledge
) -> None:
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        if "How long" in prompt:
            return minutes
        if "still going on" in prompt:
            return "y"
        return ""

    situation = ask_situation(ask, lambda _s: None)
    assert any("still going on" in p for p in prompts) == asked
    if asked:
        assert situation["symptoms"] == ["cramp_not_easing"]
        assert assess(situation, kb).triage.level == "urgent"


def test_long_exercise_asks_about_an_endurance_event() -> None:
    def ask(prompt: str) -> str:
        if "Minutes of exercise" in prompt:
            return "240"
        if "marathon" in prompt:
            return "y"
        return ""

    situation = ask_situation(ask, lambda _s: None)
    assert situation["symptoms"] == ["after_endurance_event"]
    assert situation["day"]["exercise_min"] == 240


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("18", ("bedroom_temp_c", 18.0)),
        ("18C", ("bedroom_temp_c", 18.0)),
        ("18.5 °C", ("bedroom_temp_c", 18.5)),
        ("17,5c", ("bedroom_temp_c", 17.5)),
        ("64F", ("bedroom_temp_f", 64.0)),
        ("64 °F", ("bedroom_temp_f", 64.0)),
        ("64 degrees f", ("bedroom_temp_f", 64.0)),
        ("-2C", ("bedroom_temp_c", -2.0)),
    ],
)
def test_temperatures_are_read_with_their_unit(typed: str, expected: tuple[str, float]) -> None:
    assert parse_temperature(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("warm", "e.g. 18C or 64F"),
        ("64", "for Fahrenheit add F"),
        ("200F", "from 14F to 113F"),
        ("18K", "e.g. 18C or 64F"),
    ],
)
def test_a_bad_temperature_is_explained(typed: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_temperature(typed)


def test_the_questionnaire_keeps_fahrenheit_as_given(kb: Knowledge) -> None:
    said: list[str] = []

    def ask(prompt: str) -> str:
        if "Bedroom temperature" in prompt:
            return "59F" if not said or "type" not in said[-1] else ""
        return ""

    situation = ask_situation(ask, said.append)
    assert situation["day"] == {"bedroom_temp_f": 59}
    result = assess(situation, kb)
    assert "cold_exposure" in [c.id for c in result.causes]


def test_choices_are_listed_in_words_and_accept_words_or_numbers() -> None:
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        if prompt.startswith("Where?"):
            return "front"
        if prompt.startswith("When?"):
            return "3"
        if prompt.startswith("Usual sleeping"):
            return "on your f"
        return ""

    situation = ask_situation(ask, lambda _s: None)
    where = next(p for p in prompts if p.startswith("Where?"))
    assert "front of thigh" in where and "thigh_front" not in where
    assert situation["episode"] == {"muscle": "thigh_front", "when": "during_exercise"}
    assert situation["day"] == {"sleep_position": "prone"}
