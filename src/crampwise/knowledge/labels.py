"""Plain words for every value of the situation vocabulary, and for the facts built from them.

The contract's ids (`thigh_front`, `legs_cold`, `bedroom_temp_c=15`) stay in JSON; a person
reads these words instead: choice lists, "because" reasons, medicine names. Units follow the
person's choice ("metric" or "us"), or the unit the situation was given in.
"""

from __future__ import annotations

import re
from typing import Final

from crampwise.diary.units import c_to_f

# Questions as a person answers them (the web form and the terminal questionnaire).
SYMPTOM_LABELS: Final[dict[str, str]] = {
    "chest_pain": "Chest pain",
    "short_of_breath": "New or sudden shortness of breath",
    "coughing_blood": "Coughing up blood",
    "face_arm_speech_problem": "Face drooping, arm weakness or trouble speaking",
    "leg_cold_pale_or_blue": "A leg that has suddenly turned cold, pale or blue",
    "sudden_leg_weakness_or_numbness": "Sudden weakness or numbness in a leg",
    "saddle_numbness_or_bladder_change": (
        "Numbness around the genitals or buttocks, or new trouble with bladder or bowel"
    ),
    "dark_urine": "Dark (tea or cola coloured) urine",
    "one_leg_swollen": "One leg swollen",
    "leg_red_or_warm": "Red or warm skin on the leg",
    "calf_pain_persists": "Calf pain lasting more than a day, or getting worse",
    "tense_swelling_pain_on_stretch": (
        "A tense, hard, swollen calf or thigh, with pain far worse than a cramp"
    ),
    "cramp_not_easing": "A cramp going on now that has not eased with stretching",
    "severe_pain_swelling_after_exertion": "Severe muscle pain or swelling after hard exercise",
    "stiff_jaw_or_spasms_after_wound": (
        "Stiff jaw or muscle spasms after a dirty wound or an animal bite"
    ),
    "confusion": "Confusion",
    "fever": "Fever",
    "tingling_lips_or_fingers": "Tingling lips or fingertips",
    "hand_or_foot_spasms": "Spasms of the hands or feet",
    "vomiting_or_diarrhoea": "Vomiting or diarrhoea",
    "very_thirsty_little_urine": "Very thirsty and passing little urine",
    "after_endurance_event": "A marathon, long race or long hike in the last day",
    "rest_pain_relieved_hanging_leg": (
        "Night pain in the foot or leg that eases when you hang it out of bed"
    ),
    "pain_walking_eases_with_rest": "Calf pain when walking that eases with rest",
    "muscle_weakness": "Muscle weakness",
    "muscle_wasting": "Muscles getting thinner",
    "muscle_twitching": "Muscle twitching",
    "numbness_or_tingling_feet": "Numbness or tingling in the feet",
    "back_pain_into_leg": "Back pain spreading into the leg",
    "recent_long_travel_or_bed_rest": "Recent long journey or bed rest",
    "recent_leg_injury_or_surgery": "Recent leg injury or surgery",
    "cramps_started_after_new_medicine": "Cramps started after a new medicine",
    "frequent_daytime_cramps": "Frequent cramps in the daytime too",
    "sleep_badly_disrupted": "Cramps badly disrupt my sleep",
}
CONDITION_LABELS: Final[dict[str, str]] = {
    "chronic_kidney_disease": "Chronic kidney disease",
    "dialysis": "On dialysis",
    "liver_disease": "Liver disease",
    "diabetes": "Diabetes",
    "peripheral_neuropathy": "Nerve damage in the feet or legs (neuropathy)",
    "peripheral_arterial_disease": "Narrowed leg arteries (peripheral arterial disease)",
    "hypothyroidism": "Underactive thyroid",
    "hypoparathyroidism": "Underactive parathyroid glands",
    "vitamin_d_deficiency": "Vitamin D deficiency",
    "heart_failure": "Heart failure",
    "parkinsons_disease": "Parkinson's disease",
    "multiple_sclerosis": "Multiple sclerosis",
    "motor_neuron_disease": "Motor neurone disease",
    "lumbar_spinal_stenosis": "Narrowed spinal canal in the lower back",
    "venous_insufficiency": "Varicose veins or venous insufficiency",
    "alcohol_use_disorder": "Drinking too much alcohol",
}
MUSCLE_LABELS: Final[dict[str, str]] = {
    "calf": "Calf",
    "foot": "Foot",
    "toes": "Toes",
    "thigh_front": "Front of thigh",
    "thigh_back": "Back of thigh",
    "hand": "Hand",
    "other": "Somewhere else",
}
WHEN_LABELS: Final[dict[str, str]] = {
    "night": "At night",
    "day": "In the day",
    "during_exercise": "During exercise",
    "after_exercise": "After exercise",
}
INTENSITY_LABELS: Final[dict[str, str]] = {
    "none": "None",
    "light": "Light",
    "moderate": "Moderate",
    "hard": "Hard",
}
POSITION_LABELS: Final[dict[str, str]] = {
    "back": "On your back",
    "side": "On your side",
    "prone": "On your front",
}
SEX_LABELS: Final[dict[str, str]] = {"female": "Female", "male": "Male", "other": "Other"}
# How each bibliography entry was checked (bibliography.toml's `status`), in words.
SOURCE_STATUS_LABELS: Final[dict[str, str]] = {
    "checked": "checked: read in the source or its abstract",
    "secondary": "seen only in a summary of the source",
    "unverified": "not yet confirmed in the source",
    "seed": "the article crampwise started from",
}
# When a plan step applies (knowledge.vocabulary.PHASES).
PHASE_LABELS: Final[dict[str, str]] = {
    "during_cramp": "During a cramp",
    "after_cramp": "After a cramp",
    "bedtime": "At bedtime",
    "daily": "Every day",
    "with_doctor": "With your doctor",
}
GRADE_LABELS: Final[dict[str, str]] = {
    "high": "high",
    "moderate": "moderate",
    "low": "low",
    "very_low": "very low",
    "expert_opinion": "expert opinion",
}
# Every choice field of the situation → the words for its values.
CHOICE_LABELS: Final[dict[tuple[str, str], dict[str, str]]] = {
    ("person", "sex"): SEX_LABELS,
    ("episode", "muscle"): MUSCLE_LABELS,
    ("episode", "when"): WHEN_LABELS,
    ("day", "exercise_intensity"): INTENSITY_LABELS,
    ("day", "sleep_position"): POSITION_LABELS,
}

_MUSCLE_PLACES = {
    "calf": "the calf",
    "foot": "the foot",
    "toes": "the toes",
    "thigh_front": "the front of the thigh",
    "thigh_back": "the back of the thigh",
    "hand": "the hand",
    "other": "another muscle",
}
_WHEN_WORDS = {
    "night": "cramps at night",
    "day": "cramps in the day",
    "during_exercise": "cramps during exercise",
    "after_exercise": "cramps after exercise",
}
_POSITION_WORDS = {
    "back": "you sleep on your back",
    "side": "you sleep on your side",
    "prone": "you sleep on your front",
}
# Yes/no fields: (words when true, words when false).
_FLAG_WORDS = {
    "pregnant": ("you are pregnant", "you are not pregnant"),
    "postmenopausal": ("you are past the menopause", "you are not past the menopause"),
    "heavy_sweating": ("you sweated a lot", "you did not sweat much"),
    "legs_cold": ("your legs feel cold", "your legs feel warm"),
    "vitamin_d": ("you get vitamin D", "you get little vitamin D"),
}


def _lower_first(text: str) -> str:
    """A label as the middle of a sentence: "One leg swollen" → "one leg swollen"; an
    acronym ("ALS") keeps its capitals."""
    first = text.split(" ", 1)[0]
    return text if len(first) > 1 and first.isupper() else text[:1].lower() + text[1:]


def symptom_words(symptom: str) -> str:
    """A symptom as a reason reads it: "one leg swollen"."""
    return _lower_first(SYMPTOM_LABELS.get(symptom, symptom.replace("_", " ")))


_CONDITION_PHRASES = {
    "dialysis": "you are on dialysis",
    "alcohol_use_disorder": "you drink too much alcohol",
    "venous_insufficiency": "you have varicose veins or venous insufficiency",
}


def condition_words(condition: str) -> str:
    """A condition as a reason reads it: "you have diabetes", "you are on dialysis"."""
    if condition in _CONDITION_PHRASES:
        return _CONDITION_PHRASES[condition]
    return "you have " + _lower_first(CONDITION_LABELS.get(condition, condition.replace("_", " ")))


def choice_label(block: str, name: str, value: str) -> str:
    """The words for one value of a choice field ("thigh_front" → "Front of thigh")."""
    return CHOICE_LABELS.get((block, name), {}).get(value, value.replace("_", " "))


def _number(value: float) -> str:
    return f"{value:g}"


def _duration(seconds: float) -> str:
    if seconds >= 90:
        minutes = seconds / 60
        return f"{minutes:.0f} minutes" if minutes >= 10 else f"{minutes:.1g} minutes"
    return f"{seconds:g} seconds"


def temperature_words(celsius: float, units: str) -> str:
    """A temperature in the person's unit: "15 °C" or "59 °F"."""
    if units == "us":
        return f"{round(c_to_f(celsius)):g} °F"
    return f"{round(celsius, 1):g} °C"


def field_words(block: str, name: str, value: object, units: str = "metric") -> str:
    """One situation field as a reason reads it: "you are 64", "your bedroom is 15 °C"."""
    if isinstance(value, bool):
        yes, no = _FLAG_WORDS.get(name, (name.replace("_", " "), f"not {name.replace('_', ' ')}"))
        return yes if value else no
    if isinstance(value, str):
        if name == "muscle":
            return f"cramps in {_MUSCLE_PLACES.get(value, value.replace('_', ' '))}"
        if name == "when":
            return _WHEN_WORDS.get(value, value.replace("_", " "))
        if name == "sleep_position":
            return _POSITION_WORDS.get(value, value.replace("_", " "))
        if name == "exercise_intensity":
            return "no exercise" if value == "none" else f"{value} exercise"
        if name == "sex":
            return {"female": "you are female", "male": "you are male"}.get(value, "your sex")
        return choice_label(block, name, value).lower()
    number = float(value) if isinstance(value, int | float) else 0.0
    text = _number(number)
    if name == "age":
        return f"you are {text}"
    if name == "bedroom_temp_c":
        return f"your bedroom is {temperature_words(number, units)}"
    if name == "bedroom_temp_f":
        if units == "metric":
            return f"your bedroom is {round((number - 32) * 5 / 9, 1):g} °C"
        return f"your bedroom is {round(number):g} °F"
    phrases = {
        "duration_s": f"cramps last {_duration(number)}",
        "pain": f"pain {text} out of 10",
        "per_week": f"{text} cramps a week",
        "exercise_min": f"{text} minutes of exercise",
        "fluids_l": f"you drank {text} litres",
        "calcium_mg": f"{text} mg of calcium a day",
        "alcohol_units": f"{text} units of alcohol",
        "hours_sitting": f"{text} hours sitting",
        "hours_standing": f"{text} hours standing",
    }
    return phrases.get(name, f"{name.replace('_', ' ')} {text}")


def a_or_an(noun: str) -> str:
    """The noun with its indefinite article ("a statin", "an SSRI antidepressant")."""
    first = noun.split(" ", 1)[0]
    vowel_sound = noun[:1].lower() in "aeiou" or (first.isupper() and first[:1] in "FHLMNRSX")
    return f"{'an' if vowel_sound else 'a'} {noun}"


def medicine_name(typed: str, generic: str | None, class_label: str | None) -> str:
    """A medicine as a person reads it: "Lipitor (atorvastatin, a statin)",
    "bendroflumethiazide (a thiazide or thiazide-like diuretic)"; never the name twice."""
    details = []
    if generic and generic.lower() != typed.lower():
        details.append(generic)
    if class_label:
        details.append(a_or_an(class_label))
    return f"{typed} ({', '.join(details)})" if details else typed


def medicine_words(typed: str, generic: str | None, class_label: str | None) -> str:
    """A medicine as a reason reads it: "you take Lipitor (atorvastatin, a statin)"."""
    return f"you take {medicine_name(typed, generic, class_label)}"


# "Allen RE, Kirby KA" or "Turner J, et al": a list of authors, surname then initials.
_AUTHORS = re.compile(r"^[A-Z][\w'-]+(?: [\w'-]+)* [A-Z]{1,3}(?:,| et al)")
# An organisation named with its abbreviation in brackets at the end of the citation's first
# part: "Medicines and Healthcare products Regulatory Agency (MHRA)".
_BRACKETED_ABBREVIATION = re.compile(r"[A-Z][\w-]*(?: [\w-]+)* \(([A-Z]{2,6})\)$")
# Organisations the bibliography names in full, by the abbreviation they use themselves.
ORGANISATION_ABBREVIATIONS: Final[dict[str, str]] = {
    "National Institute for Health and Care Excellence": "NICE",
    "US Food and Drug Administration": "US FDA",
    "British Orthopaedic Association": "BOA",
    "European Society for Vascular Surgery": "ESVS",
    "NHS Bristol, North Somerset and South Gloucestershire ICB": "NHS BNSSG ICB",
}
# Longest short reference (before the year): it sits in a line of running text.
SHORT_CITATION_LENGTH = 48
# Words a shortened title does not end on ("Leg cramps in…" reads as cut mid-thought).
_WEAK_ENDINGS = frozenset(
    ["a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"]
)


def _abbreviated(head: str) -> str:
    for name, short in ORGANISATION_ABBREVIATIONS.items():
        head = head.replace(name, short)
    return _BRACKETED_ABBREVIATION.sub(lambda m: m.group(1), head)


def _shortened(text: str, limit: int = SHORT_CITATION_LENGTH) -> str:
    """`text`, or when longer than `limit` its start cut at a clause or word boundary, with
    "…"; never inside a word and never leaving a bracket open."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    clause = max(cut.rfind(", "), cut.rfind(": "))
    # At a clause break, unless it leaves one lone word ("Merck Manual: Table…").
    if clause >= 20 and " " in cut[:clause].rsplit(": ", 1)[-1]:
        cut = cut[:clause]
    else:
        cut = cut.rsplit(" ", 1)[0]
    if cut.count("(") > cut.count(")"):
        cut = cut[: cut.rfind("(")]
    words = cut.rstrip(" ,:;").split(" ")
    while len(words) > 1 and words[-1].lower() in _WEAK_ENDINGS:
        words.pop()
    return " ".join(words).rstrip(" ,:;") + "…"


def short_citation(citation: str, year: int | None) -> str:
    """A bibliography entry as a short reference: "Allen RE et al. (2012)"; an organisation
    by its usual abbreviation, with its page so two pages of one site differ: "NICE: Clinical
    Knowledge Summaries: Leg cramps (2012)", "NHS: Leg cramps (2023)"; a long title cut at a
    word, "Case-control study of alcohol consumption… (2018)"."""
    parts = citation.replace("e.g. ", "e.g.\u00a0").split(". ")
    head = parts[0]
    if _AUTHORS.match(head):
        head = head.split(",")[0].removesuffix(" et al") + " et al."
    else:
        head = _abbreviated(head)
        if len(head.split()) <= 4 and len(parts) > 1:
            head = f"{head}: {parts[1].rstrip('.')}"
            # Too long: first without the page's bracket ("(last revised September 2012)"),
            # then without the organisation's ("nidirect (NHS Northern Ireland)").
            for bracket in (r" \([^)]*\)$", r" \([^)]*\)(?=:)"):
                if len(head) > SHORT_CITATION_LENGTH:
                    head = re.sub(bracket, "", head, count=1)
    head = _shortened(head)
    return f"{head} ({year})" if year else head
