"""A saved assessment drives the app: its rules, its medicines, and the guide that honours it."""

from __future__ import annotations

from typing import Any

from crampwise.assess.assessment import assess
from crampwise.assess.guide import sections
from crampwise.assess.personal import NO_RULES, personal_rules
from crampwise.assess.plain import plain_result
from crampwise.diary.model import Medicine
from crampwise.errors import InputError
from crampwise.experiments.catalogue import check_allowed, not_for_you

DIABETES = {"conditions": ["diabetes"]}


def _save(diary: Any, situation: dict[str, Any]) -> None:
    diary.save_assessment(situation, plain_result(assess(situation)))


def test_no_saved_assessment_withholds_nothing(store: Any) -> None:
    diary = store.diary("ann")
    assert diary.personal_rules() == NO_RULES
    assert personal_rules(None).allows("warm_footbath")


def test_the_latest_saved_assessment_sets_the_rules(store: Any) -> None:
    diary = store.diary("ann")
    _save(diary, DIABETES)
    rules = diary.personal_rules()
    assert not rules.allows("warm_footbath")
    assert rules.instead("warm_footbath") == "lukewarm_foot_wash_and_check"
    assert "burns" in (rules.why("warm_footbath") or "")
    _save(diary, {})  # updated answers: no diabetes any more
    assert diary.personal_rules().allows("warm_footbath")
    assert store.diary("bob").personal_rules() == NO_RULES  # one user's rules are theirs


def test_assessed_medicines_join_the_list_once_by_generic_name(store: Any) -> None:
    diary = store.diary("ann")
    diary.add_medicine(Medicine("atorvastatin"))
    _save(diary, {"medications": ["Lipitor 20 mg", "Lasix", "Zyqwex"]})
    _save(diary, {"medications": ["furosemide", "zyqwex"]})
    assert [m.name for m in diary.medicines()] == ["atorvastatin", "Lasix", "Zyqwex"]


def test_an_experiment_refuses_a_ruled_out_remedy_with_the_reason_and_alternative() -> None:
    rules = personal_rules(DIABETES)
    reason = not_for_you("warm_footbath", rules)
    assert reason is not None and "lukewarm foot wash" in reason
    assert not_for_you("calf_stretch_bedtime", rules) is None
    try:
        check_allowed("warm_footbath", rules)
    except InputError as exc:
        assert (
            "calf_stretch_bedtime" in str(exc)
            and "warm_footbath" not in str(exc).split("test:")[-1]
        )
    else:
        raise AssertionError("the footbath was allowed with diabetes")
    check_allowed("warm_footbath", NO_RULES)  # nothing saved: allowed


def test_the_guide_marks_a_remedy_the_assessment_rules_out() -> None:
    marked = sections("warm_footbath", rules=personal_rules(DIABETES))[0].items[0]
    assert marked.not_for_you and "lukewarm foot wash" in marked.not_for_you
    plain = sections("warm_footbath", rules=NO_RULES)[0].items[0]
    assert plain.not_for_you is None
