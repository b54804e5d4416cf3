"""Words people read for knowledge ids: reasons start in lower case, sources read as short
references that tell two pages of one site apart."""

from __future__ import annotations

import re

from crampwise.knowledge import labels, load_knowledge


def test_a_reason_starts_in_lower_case_but_keeps_an_acronym() -> None:
    assert labels.symptom_words("after_endurance_event").startswith("a marathon")
    assert labels.symptom_words("one_leg_swollen") == "one leg swollen"
    assert labels._lower_first("ALS in the family") == "ALS in the family"


def test_the_clot_and_limb_questions_say_what_the_review_asks() -> None:
    # Soreness for up to a day after a cramp is normal; chronic cold feet are not an emergency.
    assert "more than a day" in labels.SYMPTOM_LABELS["calf_pain_persists"]
    assert "suddenly" in labels.SYMPTOM_LABELS["leg_cold_pale_or_blue"]
    assert "new or sudden" in labels.SYMPTOM_LABELS["short_of_breath"].lower()


def test_short_citations_name_the_first_author_or_the_page() -> None:
    assert labels.short_citation("Allen RE, Kirby KA. Nocturnal leg cramps. AFP.", 2012) == (
        "Allen RE et al. (2012)"
    )
    assert labels.short_citation("Turner J, et al. Society for Endocrinology.", 2016) == (
        "Turner J et al. (2016)"
    )
    assert labels.short_citation("NHS. Leg cramps.", 2023) == "NHS: Leg cramps (2023)"
    review = "crampwise clinical review, second edition: a reading of the knowledge base."
    assert "et al" not in labels.short_citation(review, 2026)


def test_no_two_sources_share_a_short_citation() -> None:
    sources = load_knowledge().sources.values()
    shown = [labels.short_citation(s.citation, s.year) for s in sources]
    repeated = sorted({s for s in shown if shown.count(s) > 1})
    assert repeated == []


def test_an_organisation_reads_as_its_usual_abbreviation() -> None:
    nice = (
        "National Institute for Health and Care Excellence. Clinical Knowledge Summaries: "
        "Leg cramps (last revised September 2012)."
    )
    short = "NICE: Clinical Knowledge Summaries: Leg cramps (2012)"
    assert labels.short_citation(nice, 2012) == short
    mhra = "Medicines and Healthcare products Regulatory Agency (MHRA). Quinine: not routine."
    assert labels.short_citation(mhra, 2010) == "MHRA: Quinine: not routine (2010)"


def test_a_long_title_is_cut_at_a_word_not_inside_one() -> None:
    title = "Case-control study of alcohol consumption and nocturnal leg cramps in people over 60."
    assert labels.short_citation(title, 2018) == "Case-control study of alcohol consumption… (2018)"


def test_no_short_citation_ends_inside_a_word_or_runs_long() -> None:
    for source in load_knowledge().sources.values():
        shown = labels.short_citation(source.citation, source.year)
        head = shown.removesuffix(f" ({source.year})")
        assert len(head) <= labels.SHORT_CITATION_LENGTH, shown
        if head.endswith("…"):
            last = head[:-1].split()[-1]
            # The last word shown is a whole word of the citation, not a cut one ("Excellen…").
            assert re.search(rf"(^|\W){re.escape(last)}(\W|$)", source.citation), shown
