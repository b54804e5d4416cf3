"""The web Assess form: every warning sign offered once, in words, in groups that keep the
form short; the signs that mean help now are never folded away."""

from __future__ import annotations

import re
from typing import Any

from crampwise.knowledge import labels
from crampwise.knowledge import vocabulary as v
from crampwise.web.pages.assess import SYMPTOM_GROUPS

from ..support import form_csrf


def _fold(page: str, group: str) -> str:
    found = re.search(rf'<details class="fold" id="signs-{group}"[^>]*>', page)
    assert found, group
    return found.group(0)


def test_every_symptom_is_in_exactly_one_group() -> None:
    grouped = [s for _key, _title, _folded, ids in SYMPTOM_GROUPS for s in ids]
    assert sorted(grouped) == sorted(v.SYMPTOMS)
    assert len(grouped) == len(set(grouped))


def test_every_emergency_sign_is_shown_unfolded() -> None:
    shown = {s for _key, _title, folded, ids in SYMPTOM_GROUPS if not folded for s in ids}
    for symptom in (
        "chest_pain",
        "short_of_breath",
        "face_arm_speech_problem",
        "leg_cold_pale_or_blue",
        "sudden_leg_weakness_or_numbness",
        "saddle_numbness_or_bladder_change",
        "tense_swelling_pain_on_stretch",
        "cramp_not_easing",
        "stiff_jaw_or_spasms_after_wound",
        "confusion",
        "one_leg_swollen",
        "calf_pain_persists",
    ):
        assert symptom in shown, symptom


def test_the_blank_form_offers_every_sign_in_words_with_the_rest_folded(owner: Any) -> None:
    page = owner.get("/assess?new=1").text
    for symptom in v.SYMPTOMS:
        assert f'value="{symptom}"' in page
        assert labels.SYMPTOM_LABELS[symptom] in page.replace("&#39;", "'")
    outside = re.sub(r"<details\b.*?</details>", " ", page, flags=re.S)
    assert 'value="face_arm_speech_problem"' in outside
    assert 'value="muscle_twitching"' not in outside  # folded: the form stays short
    assert " open" not in _fold(page, "other") and " open" not in _fold(page, "unwell")


def test_a_fold_holding_a_saved_answer_opens(owner: Any) -> None:
    token = form_csrf(owner.get("/assess").text)
    owner.post(
        "/assess",
        data={"csrf_token": token, "symptoms": ["vomiting_or_diarrhoea", "after_endurance_event"]},
    )
    page = owner.get("/assess").text
    assert "Your assessment of" in page
    assert " open" in _fold(page, "unwell") and " open" not in _fold(page, "other")
    assert re.search(r'value="after_endurance_event"\s+checked', page)
