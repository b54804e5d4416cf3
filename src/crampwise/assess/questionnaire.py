"""The interactive questions `crampwise assess` asks on a terminal when given no file.

Warning signs come first; if an emergency sign is ticked the questions stop at once so the
triage is shown without delay. Every answer can be skipped with Enter. The result is a
contract situation dict (checked again by `parse_situation`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from crampwise.errors import InputError
from crampwise.knowledge import vocabulary as v

Ask = Callable[[str], str]
Say = Callable[[str], None]

EMERGENCY_SIGNS = (
    ("chest_pain", "chest pain"),
    ("short_of_breath", "short of breath"),
    ("coughing_blood", "coughing up blood"),
    ("leg_cold_pale_or_blue", "a leg that is cold, pale or blue"),
    ("sudden_leg_weakness_or_numbness", "sudden weakness or numbness of a leg"),
    ("confusion", "confusion"),
)
URGENT_SIGNS = (
    ("one_leg_swollen", "one leg swollen"),
    ("leg_red_or_warm", "leg red or warm"),
    ("calf_pain_persists", "calf pain that stays after the cramp"),
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

    def pick_one(self, prompt: str, choices: tuple[str, ...]) -> str | None:
        def convert(answer: str) -> str:
            low = answer.lower()
            if low.isdigit() and 1 <= int(low) <= len(choices):
                return choices[int(low) - 1]
            found = [c for c in choices if c.startswith(low)]
            if len(found) == 1:
                return found[0]
            raise ValueError(f"choose one of: {', '.join(choices)}")

        listing = ", ".join(f"{i}={c}" for i, c in enumerate(choices, 1))
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

    def yes_no(self, prompt: str) -> bool | None:
        def convert(answer: str) -> bool:
            if answer.lower() in ("y", "yes"):
                return True
            if answer.lower() in ("n", "no"):
                return False
            raise ValueError("answer y or n, or Enter to skip")

        result: bool | None = self._retry(f"{prompt} [y/n] ", convert)
        return result


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
    symptoms += q.pick_many("\nAny of these?", OTHER_SIGNS)

    q.say("\nAbout you")
    person: dict[str, Any] = {}
    _put(person, "age", q.number("Age in years:", 0, 120))
    _put(person, "sex", q.pick_one("Sex:", v.SEXES))
    if person.get("sex") != "male":
        _put(person, "pregnant", q.yes_no("Pregnant?"))
        if not person.get("pregnant"):
            _put(person, "postmenopausal", q.yes_no("Past the menopause?"))
    labels = tuple((c, c.replace("_", " ")) for c in v.CONDITIONS)
    conditions = q.pick_many("\nConditions a doctor has told you that you have:", labels)
    meds = q.ask("\nMedicines you take (names, separated by commas; Enter for none): ")
    medications = [m.strip() for m in meds.split(",") if m.strip()]

    q.say("\nThe last cramp")
    episode: dict[str, Any] = {}
    _put(episode, "muscle", q.pick_one("Where?", v.MUSCLES))
    _put(episode, "when", q.pick_one("When?", v.WHENS))
    minutes = q.number("How long did it last, in minutes?", 0, None)
    _put(episode, "duration_s", None if minutes is None else round(minutes * 60))
    _put(episode, "pain", q.number("How painful, 0-10?", 0, 10))
    _put(episode, "per_week", q.number("About how many cramps a week?", 0, None))

    q.say("\nThe day before it")
    day: dict[str, Any] = {}
    _put(day, "exercise_min", q.number("Minutes of exercise:", 0, None))
    _put(day, "exercise_intensity", q.pick_one("How hard?", v.INTENSITIES))
    _put(day, "fluids_l", q.number("Litres of fluid drunk:", 0, None))
    _put(day, "heavy_sweating", q.yes_no("Heavy sweating?"))
    _put(day, "bedroom_temp_c", q.number("Bedroom temperature in °C:", -10, 45))
    _put(day, "legs_cold", q.yes_no("Legs cold in bed?"))
    _put(day, "sleep_position", q.pick_one("Usual sleeping position?", v.SLEEP_POSITIONS))
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
