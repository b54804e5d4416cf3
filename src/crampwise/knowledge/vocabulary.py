"""The situation vocabulary fixed by the assess contract (docs: shared/contracts.md §1)."""

from __future__ import annotations

from typing import Final, Literal

Grade = Literal["high", "moderate", "low", "very_low", "expert_opinion"]
Level = Literal["emergency", "urgent", "routine", "self_care"]

GRADES: Final[tuple[str, ...]] = ("high", "moderate", "low", "very_low", "expert_opinion")
# Most urgent first: the level of a situation is the first of these that any rule gives.
LEVELS: Final[tuple[str, ...]] = ("emergency", "urgent", "routine", "self_care")
SOURCE_STATUSES: Final[tuple[str, ...]] = ("checked", "secondary", "unverified", "seed")
# When a plan step applies, in the order a plan lists them.
PHASES: Final[tuple[str, ...]] = ("during_cramp", "after_cramp", "bedtime", "daily", "with_doctor")

SEXES: Final[tuple[str, ...]] = ("female", "male", "other")
MUSCLES: Final[tuple[str, ...]] = (
    "calf",
    "foot",
    "toes",
    "thigh_front",
    "thigh_back",
    "hand",
    "other",
)
WHENS: Final[tuple[str, ...]] = ("night", "day", "during_exercise", "after_exercise")
INTENSITIES: Final[tuple[str, ...]] = ("none", "light", "moderate", "hard")
SLEEP_POSITIONS: Final[tuple[str, ...]] = ("back", "side", "prone")

CONDITIONS: Final[tuple[str, ...]] = (
    "chronic_kidney_disease",
    "dialysis",
    "liver_disease",
    "diabetes",
    "peripheral_neuropathy",
    "peripheral_arterial_disease",
    "hypothyroidism",
    "hypoparathyroidism",
    "vitamin_d_deficiency",
    "heart_failure",
    "parkinsons_disease",
    "multiple_sclerosis",
    "motor_neuron_disease",
    "lumbar_spinal_stenosis",
    "venous_insufficiency",
    "alcohol_use_disorder",
)

SYMPTOMS: Final[tuple[str, ...]] = (
    "one_leg_swollen",
    "leg_red_or_warm",
    "calf_pain_persists",
    "chest_pain",
    "short_of_breath",
    "coughing_blood",
    "leg_cold_pale_or_blue",
    "sudden_leg_weakness_or_numbness",
    "dark_urine",
    "severe_pain_swelling_after_exertion",
    "pain_walking_eases_with_rest",
    "muscle_weakness",
    "muscle_wasting",
    "muscle_twitching",
    "numbness_or_tingling_feet",
    "tingling_lips_or_fingers",
    "hand_or_foot_spasms",
    "confusion",
    "fever",
    "vomiting_or_diarrhoea",
    "very_thirsty_little_urine",
    "back_pain_into_leg",
    "recent_long_travel_or_bed_rest",
    "recent_leg_injury_or_surgery",
    "cramps_started_after_new_medicine",
    "frequent_daytime_cramps",
    "sleep_badly_disrupted",
    # Added December 2026 (clinical review, second edition); meanings in the questionnaire.
    "tense_swelling_pain_on_stretch",
    "cramp_not_easing",
    "saddle_numbness_or_bladder_change",
    "face_arm_speech_problem",
    "rest_pain_relieved_hanging_leg",
    "after_endurance_event",
    "stiff_jaw_or_spasms_after_wound",
)

CAUSE_IDS: Final[tuple[str, ...]] = (
    "low_calcium",
    "muscle_overuse",
    "fluid_electrolyte_loss",
    "cold_exposure",
    "sleep_posture",
    "medication_side_effect",
    "pregnancy",
    "kidney_or_liver_disease",
    "nerve_disorder",
    "circulation_disorder",
    "metabolic_disorder",
    "prolonged_sitting_or_standing",
    "alcohol",
    "ageing",
)

# Plan ids the contract names; the knowledge base may add more (e.g. safe alternatives).
CONTRACT_PLAN_IDS: Final[tuple[str, ...]] = (
    "stretch_now",
    "massage_now",
    "heat_after",
    "calf_stretch_bedtime",
    "warm_footbath",
    "warm_bedroom",
    "loosen_bedding_avoid_prone",
    "moderate_exercise_plan",
    "hydrate_and_replace_salts",
    "calcium_vitamin_d_diet",
    "massage_therapy",
    "review_medicines_with_doctor",
    "see_doctor_if_persistent",
)

# How strongly a medicine is linked to cramps (see medicines.toml for the meaning of each).
LINK_STRENGTHS: Final[tuple[str, ...]] = ("strong", "moderate", "weak", "rare", "reported", "none")

# Numeric situation fields: (block, name) -> (minimum, maximum or None).
NUMERIC_RANGES: Final[dict[tuple[str, str], tuple[float, float | None]]] = {
    ("person", "age"): (0, 120),
    ("episode", "duration_s"): (0, None),
    ("episode", "pain"): (0, 10),
    ("episode", "per_week"): (0, None),
    ("day", "exercise_min"): (0, None),
    ("day", "fluids_l"): (0, None),
    ("day", "bedroom_temp_c"): (-10, 45),
    ("day", "bedroom_temp_f"): (14, 113),
    ("day", "calcium_mg"): (0, None),
    ("day", "alcohol_units"): (0, None),
    ("day", "hours_sitting"): (0, 24),
    ("day", "hours_standing"): (0, 24),
}
BOOLEAN_FIELDS: Final[frozenset[tuple[str, str]]] = frozenset(
    {
        ("person", "pregnant"),
        ("person", "postmenopausal"),
        ("day", "heavy_sweating"),
        ("day", "legs_cold"),
        ("day", "vitamin_d"),
    }
)
CHOICE_FIELDS: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("person", "sex"): SEXES,
    ("episode", "muscle"): MUSCLES,
    ("episode", "when"): WHENS,
    ("day", "exercise_intensity"): INTENSITIES,
    ("day", "sleep_position"): SLEEP_POSITIONS,
}
BLOCKS: Final[tuple[str, ...]] = ("person", "episode", "day")
LISTS: Final[dict[str, tuple[str, ...] | None]] = {
    "conditions": CONDITIONS,
    "symptoms": SYMPTOMS,
    "medications": None,  # free text
}
# Every field of every block, in the contract's order (used for error messages).
BLOCK_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "person": ("age", "sex", "pregnant", "postmenopausal"),
    "episode": ("muscle", "when", "duration_s", "pain", "per_week"),
    "day": (
        "exercise_min",
        "exercise_intensity",
        "fluids_l",
        "heavy_sweating",
        "bedroom_temp_c",
        "bedroom_temp_f",
        "legs_cold",
        "sleep_position",
        "calcium_mg",
        "vitamin_d",
        "alcohol_units",
        "hours_sitting",
        "hours_standing",
    ),
}
