"""No internal code where a person reads an assessment: CLI, web page and PDF report.

A battery of situations fires every red-flag rule, every cause signal, every plan item (and
its safe substitute), every thing to avoid and every value of every choice list. Each is
rendered the way people see it (the CLI's human output, the web Assess page, the PDF report)
and the text outside "details" folds must hold no snake_case token and no `key=value`.
"""

from __future__ import annotations

import html as html_lib
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from assess.situations import add_fact  # tests/assess/situations.py
from crampwise.assess.assessment import assess
from crampwise.assess.plain import plain_result
from crampwise.knowledge import load_knowledge
from crampwise.knowledge import vocabulary as v
from crampwise.knowledge.facts import Condition
from web.support import fast_settings, new_client, setup_owner  # tests/web/support.py

SNAKE = re.compile(r"\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b")
KEY_VALUE = re.compile(r"\b[A-Za-z_]+=\S+")
STATISTICS = re.compile(r"q-value|rate ratio|sequence ratio|false discovery|\bFDR\b", re.I)


def codes_in(text: str, statistics: bool = True) -> list[str]:
    """The internal codes (and statistics words) a person would read in `text`."""
    found = SNAKE.findall(text) + KEY_VALUE.findall(text)
    if statistics:
        found += STATISTICS.findall(text)
    return sorted(set(found))


def test_the_check_finds_codes() -> None:
    found = codes_in("Because: medication=Lipitor, legs_cold")
    assert found == ["legs_cold", "medication=Lipitor,"]
    assert codes_in("adjusted sequence ratio 1.5") == ["sequence ratio"]
    assert codes_in("Because your legs feel cold and your bedroom is 15 °C.") == []


def _situation(condition: Condition | None, base: dict[str, Any] | None = None) -> dict[str, Any]:
    kb = load_knowledge()
    out: dict[str, Any] = dict(base or {})
    for group in condition or ():
        out = add_fact(out, group[0], kb)
    return out


EVERY_SIGN: dict[str, Any] = {"symptoms": list(v.SYMPTOMS), "conditions": list(v.CONDITIONS)}
MEDICINES: dict[str, Any] = {"medications": ["Lipitor", "bendroflumethiazide", "Lasix", "Zyqwex"]}


def battery() -> list[dict[str, Any]]:
    """Situations that, together, fire every rule, signal, plan item, avoid item and choice."""
    kb = load_knowledge()
    found: list[dict[str, Any]] = []
    for rule in kb.rules:
        found.append(_situation(rule.when))
    for cause in kb.causes:
        for signal in cause.signals:
            found.append(add_fact({}, signal.fact, kb))
    for remedy in kb.remedies.values():
        include = _situation(remedy.include)
        found.append(include)
        if remedy.substitute is not None:
            found.append(_situation(remedy.substitute.when, include))
    for avoid in kb.avoid:
        found.append(_situation(avoid.include))
    for (block, name), choices in v.CHOICE_FIELDS.items():
        for choice in choices:
            found.append({block: {name: choice}})
    found += [EVERY_SIGN, MEDICINES]
    unique = {json.dumps(s, sort_keys=True): s for s in found}
    return list(unique.values())


BATTERY = battery()


def test_the_battery_fires_every_rule_cause_and_plan_item() -> None:
    kb = load_knowledge()
    results = [assess(s) for s in BATTERY]
    fired = {r.id for res in results for r in res.triage.reasons}
    assert fired >= {r.id for r in kb.rules if not r.baseline}
    assert {c.id for res in results for c in res.causes} == {c.id for c in kb.causes}
    planned = {p.id for res in results for p in res.plan}
    assert planned >= {r for r, remedy in kb.remedies.items() if remedy.include is not None}
    assert {a.id for res in results for a in res.avoid} == {a.id for a in kb.avoid}


def test_cli_human_output_has_no_codes(capsys: pytest.CaptureFixture[str]) -> None:
    from crampwise.cli.assess_report import print_assessment

    bad = {}
    for situation in BATTERY:
        print_assessment(plain_result(assess(situation)))
        text = capsys.readouterr().out
        if codes := codes_in(text):
            bad[json.dumps(situation)] = codes
    assert bad == {}


def visible_text(page: str, *, folds: bool) -> str:
    """The text of a page's <main> as read, with or without what is inside <details>."""
    main = page[page.index("<main") : page.index("</main>")]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    if not folds:
        main = re.sub(r"<details\b.*?</details>", " ", main, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", main))


@pytest.fixture
def signed_in(sqlite_url: str) -> Iterator[tuple[Any, Any]]:
    from crampwise.web.app import create_app

    app = create_app(fast_settings(sqlite_url))
    with new_client(app) as client:
        setup_owner(client)
        yield client, app.state.ctx.store.diary("olive")
    app.state.ctx.close()


def test_web_assess_page_has_no_codes_outside_details(signed_in: tuple[Any, Any]) -> None:
    client, diary = signed_in
    bad = {}
    for situation in BATTERY:
        diary.save_assessment(situation, plain_result(assess(situation)))
        page = client.get("/assess").text
        assert "Your assessment of" in page
        if codes := codes_in(visible_text(page, folds=False)):
            bad[json.dumps(situation)] = codes
    assert bad == {}


def test_the_blank_assess_form_has_no_codes_even_in_its_folds(
    signed_in: tuple[Any, Any],
) -> None:
    # The folded groups of warning signs are answers people tick: words there too.
    client, _diary = signed_in
    page = client.get("/assess?new=1").text
    assert 'value="stiff_jaw_or_spasms_after_wound"' in page
    assert codes_in(visible_text(page, folds=True)) == []


def test_the_web_check_reads_inside_details_only_when_asked() -> None:
    page = "<main><p>Legs cold</p><details><summary>x</summary>q-value 0.1</details></main>"
    assert codes_in(visible_text(page, folds=True)) == ["q-value"]
    assert codes_in(visible_text(page, folds=False)) == []


def test_pdf_report_has_no_codes(sqlite_url: str) -> None:
    from crampwise.interop.report import diary_report
    from crampwise.store import open_store

    kb = load_knowledge()
    store = open_store(sqlite_url)
    bad = {}
    try:
        situations = [_situation(rule.when) for rule in kb.rules]
        # The report shows the warning signs, the conditions and the medicines of the
        # assessment: every rule's situation, every sign and condition, medicines by name.
        situations += [EVERY_SIGN, MEDICINES]
        for n, situation in enumerate(situations):
            diary = store.diary(f"reader{n}")
            diary.save_assessment(situation, plain_result(assess(situation)))
            pdf = diary_report(diary, f"reader{n}", today=date(2026, 12, 1))
            reader = PdfReader(io.BytesIO(pdf))
            text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
            # The report is for a clinician: its statistics stay; codes never.
            if codes := codes_in(text, statistics=False):
                bad[json.dumps(situation)] = codes
    finally:
        store.close()
    assert bad == {}
