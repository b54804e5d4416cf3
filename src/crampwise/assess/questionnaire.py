"""The interactive questions `crampwise assess` asks on a terminal when given no file.

Warning signs come first; if an emergency sign is ticked the questions stop at once so the
triage is shown without delay. Some signs are asked only when an earlier answer makes them
relevant (numbness in the saddle area after back pain, a long race after vomiting), so the
questions stay short. Every answer can be skipped with Enter; choices are shown in words.
The result is a contract situation dict (checked again by `parse_situation`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

from crampwise.errors import InputError
from crampwise.knowledge import labels
from crampwise.knowledge import vocabulary as v

Ask = Callable[[str], str]
Say = Callable[[str], None]

EMERGENCY_SIGNS = (
    ("chest_pain", "chest pain"),
    ("short_of_breath", "new or sudden shortness of breath (not your usual breathlessness)"),
    ("coughing_blood", "coughing up blood"),
    ("leg_cold_pale_or_blue", "a leg that has suddenly turned cold, pale or blue"),
    ("sudden_leg_weakness_or_numbness", "sudden weakness or numbness of a leg"),
    ("face_arm_speech_problem", "face drooping, arm weakness or trouble speaking"),
    ("confusion", "confusion"),
    (
        "tense_swelling_pain_on_stretch",
        "a tense, hard, swollen calf or thigh, with pain far worse than a cramp",
    ),
    ("stiff_jaw_or_spasms_after_wound", "stiff jaw or spasms after a dirty wound or animal bite"),
)
URGENT_SIGNS = (
    ("cramp_not_easing", "a cramp going on now that stretching has not eased"),
    ("one_leg_swollen", "one leg swollen"),
    ("leg_red_or_warm", "leg red or warm"),
    (
        "calf_pain_persists",
        "calf pain lasting more than a day after a cramp, or getting worse",
    ),
    ("dark_urine", "dark (tea or cola coloured) urine"),
    ("severe_pain_swelling_after_exertion", "severe muscle pain and swelling after exertion"),
    ("tingling_lips_or_fingers", "tingling lips or fingers"),
    ("hand_or_foot_spasms", "spasms of the hands or feet"),
    ("fever", "fever"),
    ("vomiting_or_diarrhoea", "vomiting or diarrhoea"),
    ("very_thirsty_little_urine", "very thirsty, passing little urine"),
)
OTHER_SIGNS = (
    ("pain_walking_eases_with_rest", "calf pain on walking that eases with rest"),
    ("muscle_weakness", "muscle weakness"),
    ("muscle_wasting", "muscles getting thinner"),
    ("muscle_twitching", "muscle twitching"),
    ("numbness_or_tingling_feet", "numbness or tingling in the feet"),
    ("back_pain_into_leg", "back pain spreading into the leg"),
    ("recent_long_travel_or_bed_rest", "recent long journey or bed rest"),
    ("recent_leg_injury_or_surgery", "recent leg injury or surgery"),
    ("cramps_started_after_new_medicine", "cramps started after a new medicine"),
    ("frequent_daytime_cramps", "frequent cramps in the daytime"),
    ("sleep_badly_disrupted", "sleep badly disrupted by cramps"),
)


class Questions:
    """Asks one question at a time, re-asking (up to 3 times) when an answer is invalid."""

    def __init__(self, ask: Ask, say: Say) -> None:
        self.ask = ask
        self.say = say
        self.asked: set[str] = set()  # follow-up signs already asked (each asked once)

    def _retry(self, prompt: str, convert: Callable[[str], Any]) -> Any:
        for _ in range(3):
            answer = self.ask(prompt).strip()
            if not answer:
                return None
            try:
                return convert(answer)
            except ValueError as exc:
                self.say(f"  {exc}")
        return None

    def pick_many(self, title: str, options: tuple[tuple[str, str], ...]) -> list[str]:
        self.say(title)
        for i, (_, label) in enumerate(options, 1):
            self.say(f"  {i:2d}. {label}")

        def convert(answer: str) -> list[str]:
            if answer.lower() in ("none", "no", "n", "0"):
                return []
            chosen: list[str] = []
            for part in answer.replace(",", " ").split():
                if not part.isdigit() or not 1 <= int(part) <= len(options):
                    raise ValueError(f"type numbers from 1 to {len(options)}, e.g. 1,3")
                chosen.append(options[int(part) - 1][0])
            return chosen

        return self._retry("Numbers, separated by commas (Enter for none): ", convert) or []

    def pick_one(
        self, prompt: str, choices: tuple[str, ...], words: dict[str, str] | None = None
    ) -> str | None:
        shown = {c: (words or {}).get(c, c.replace("_", " ")) for c in choices}

        def convert(answer: str) -> str:
            low = answer.lower()
            if low.isdigit() and 1 <= int(low) <= len(choices):
                return choices[int(low) - 1]
            found = [c for c in choices if c.startswith(low) or shown[c].lower().startswith(low)]
            if len(found) == 1:
                return found[0]
            raise ValueError(f"type a number from 1 to {len(choices)}")

        listing = ", ".join(f"{i} {shown[c].lower()}" for i, c in enumerate(choices, 1))
        result: str | None = self._retry(f"{prompt} [{listing}] ", convert)
        return result

    def number(self, prompt: str, low: float, high: float | None) -> float | None:
        def convert(answer: str) -> float:
            try:
                value = float(answer.replace(",", "."))
            except ValueError:
                raise ValueError("type a number, or Enter to skip") from None
            if value < low or (high is not None and value > high):
                top = f" to {high:g}" if high is not None else " or more"
                raise ValueError(f"type a number from {low:g}{top}")
            return value

        result: float | None = self._retry(f"{prompt} ", convert)
        return result

    def temperature(self, prompt: str) -> tuple[str, float] | None:
        result: tuple[str, float] | None = self._retry(f"{prompt} ", parse_temperature)
        return result

    def yes_no(self, prompt: str) -> bool | None:
        def convert(answer: str) -> bool:
            if answer.lower() in ("y", "yes"):
                return True
            if answer.lower() in ("n", "no"):
                return False
            raise ValueError("answer y or n, or Enter to skip")

        result: bool | None = self._retry(f"{prompt} [y/n] ", convert)
        return result


_TEMPERATURE = re.compile(r"^(-?\d+(?:[.,]\d+)?)\s*(?:°|deg(?:rees)?)?\s*([cf])?$", re.IGNORECASE)


def parse_temperature(answer: str) -> tuple[str, float]:
    """A typed temperature: "18", "18C", "18.5 °C", "64F", "64 °F" -> (field, value).

    A bare number is °C, as the question says; °F is kept as given (bedroom_temp_f).
    """
    match = _TEMPERATURE.match(answer.strip())
    if not match:
        raise ValueError("type the temperature with its unit, e.g. 18C or 64F")
    value = float(match.group(1).replace(",", "."))
    if (match.group(2) or "c").lower() == "f":
        low, high = v.NUMERIC_RANGES[("day", "bedroom_temp_f")]
        if not low <= value <= (high or value):
            raise ValueError(f"type a temperature from {low:g}F to {high:g}F")
        return "bedroom_temp_f", value
    low, high = v.NUMERIC_RANGES[("day", "bedroom_temp_c")]
    if not low <= value <= (high or value):
        hint = " (for Fahrenheit add F, e.g. 64F)" if value <= 113 else ""
        raise ValueError(f"type a temperature from {low:g}C to {high:g}C{hint}")
    return "bedroom_temp_c", value


# Exercise this long the day before makes "was it an endurance event?" worth asking.
LONG_EXERCISE_MIN = 120
ENDURANCE_QUESTION = "In the last day, did you run a marathon, a long race or a long hike?"
SADDLE_QUESTION = (
    "Any numbness around your genitals or buttocks, or new trouble passing urine or"
    " controlling your bladder or bowel?"
)


def _ask_sign(q: Questions, symptoms: list[str], symptom: str, prompt: str) -> None:
    """A follow-up yes/no about one sign, asked once and only when it is not known yet."""
    if symptom in symptoms or symptom in q.asked:
        return
    q.asked.add(symptom)
    if q.yes_no(prompt):
        symptoms.append(symptom)


def _whole(value: float | None) -> int | float | None:
    return int(value) if value is not None and value == int(value) else value


def _put(block: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        block[key] = _whole(value) if isinstance(value, float) else value


def _terminal_ask(prompt: str) -> str:
    """input(), but with questions on stderr when stdout is piped (it carries the JSON)."""
    if sys.stdout.isatty():
        return input(prompt)
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")


def _terminal_say(text: str) -> None:
    print(text, file=sys.stdout if sys.stdout.isatty() else sys.stderr)


def ask_situation(ask: Ask | None = None, say: Say | None = None) -> dict[str, Any]:
    """Ask the questions and return a contract situation dict."""
    raw_ask = ask or _terminal_ask

    def safe_ask(prompt: str) -> str:
        try:
            return raw_ask(prompt)
        except EOFError:
            raise InputError("the questions were not answered (input ended)") from None

    q = Questions(safe_ask, say or _terminal_say)
    q.say("crampwise: a few questions about your cramps. Press Enter to skip any of them.\n")
    symptoms = q.pick_many("Do you have any of these RIGHT NOW?", EMERGENCY_SIGNS)
    if symptoms:
        q.say("\nThat can be serious: showing your result now.\n")
        return {"symptoms": symptoms}
    symptoms += q.pick_many("\nAny of these now or in the last few days?", URGENT_SIGNS)
    if "vomiting_or_diarrhoea" in symptoms:
        _ask_sign(q, symptoms, "after_endurance_event", ENDURANCE_QUESTION)
    symptoms += q.pick_many("\nAny of these?", OTHER_SIGNS)
    if "back_pain_into_leg" in symptoms:
        _ask_sign(q, symptoms, "saddle_numbness_or_bladder_change", SADDLE_QUESTION)

    q.say("\nAbout you")
    person: dict[str, Any] = {}
    _put(person, "age", q.number("Age in years:", 0, 120))
    _put(person, "sex", q.pick_one("Sex:", v.SEXES, labels.SEX_LABELS))
    if person.get("sex") != "male":
        _put(person, "pregnant", q.yes_no("Pregnant?"))
        if not person.get("pregnant"):
            _put(person, "postmenopausal", q.yes_no("Past the menopause?"))
    options = tuple((c, labels.CONDITION_LABELS.get(c, c.replace("_", " "))) for c in v.CONDITIONS)
    conditions = q.pick_many("\nConditions a doctor has told you that you have:", options)
    if "lumbar_spinal_stenosis" in conditions:
        # A narrowed spinal canal is where cauda equina pressure starts: ask even without
        # back pain ticked (asked once only).
        _ask_sign(q, symptoms, "saddle_numbness_or_bladder_change", SADDLE_QUESTION)
    if {"peripheral_arterial_disease", "diabetes"} & set(conditions) or (
        "pain_walking_eases_with_rest" in symptoms
    ):
        _ask_sign(
            q,
            symptoms,
            "rest_pain_relieved_hanging_leg",
            "Does pain in your foot or leg at night ease when you hang the leg out of bed?",
        )
    meds = q.ask("\nMedicines you take (names, separated by commas; Enter for none): ")
    medications = [m.strip() for m in meds.split(",") if m.strip()]

    q.say("\nThe last cramp")
    episode: dict[str, Any] = {}
    _put(episode, "muscle", q.pick_one("Where?", v.MUSCLES, labels.MUSCLE_LABELS))
    _put(episode, "when", q.pick_one("When?", v.WHENS, labels.WHEN_LABELS))
    minutes = q.number("How long did it last, in minutes?", 0, None)
    _put(episode, "duration_s", None if minutes is None else round(minutes * 60))
    if minutes is not None and minutes > 10:
        _ask_sign(
            q,
            symptoms,
            "cramp_not_easing",
            "Is it still going on, without easing when you stretch?",
        )
    _put(episode, "pain", q.number("How painful, 0-10?", 0, 10))
    _put(episode, "per_week", q.number("About how many cramps a week?", 0, None))

    q.say("\nThe day before it")
    day: dict[str, Any] = {}
    _put(day, "exercise_min", q.number("Minutes of exercise:", 0, None))
    _put(
        day,
        "exercise_intensity",
        q.pick_one("How hard?", v.INTENSITIES, labels.INTENSITY_LABELS),
    )
    if day.get("exercise_min", 0) >= LONG_EXERCISE_MIN:
        _ask_sign(q, symptoms, "after_endurance_event", ENDURANCE_QUESTION)
    _put(day, "fluids_l", q.number("Litres of fluid drunk:", 0, None))
    _put(day, "heavy_sweating", q.yes_no("Heavy sweating?"))
    temperature = q.temperature("Bedroom temperature (for example 18C or 64F):")
    if temperature is not None:
        _put(day, temperature[0], temperature[1])
    _put(day, "legs_cold", q.yes_no("Legs cold in bed?"))
    _put(
        day,
        "sleep_position",
        q.pick_one("Usual sleeping position?", v.SLEEP_POSITIONS, labels.POSITION_LABELS),
    )
    _put(day, "alcohol_units", q.number("Units of alcohol:", 0, None))
    _put(day, "hours_sitting", q.number("Hours sitting:", 0, 24))
    _put(day, "hours_standing", q.number("Hours standing:", 0, 24))

    out: dict[str, Any] = {}
    for key, value in (
        ("person", person),
        ("conditions", conditions),
        ("medications", medications),
        ("symptoms", symptoms),
        ("episode", episode),
        ("day", day),
    ):
        if value:
            out[key] = value
    return out
