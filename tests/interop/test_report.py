"""Clinician report: the planted figures are in the PDF text, and the pages render."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from crampwise.assess.assessment import assess
from crampwise.diary.model import DayLog, Episode, Medicine
from crampwise.interop.report import diary_report, gather_report, page_count
from crampwise.interop.report.words import quartiles
from crampwise.store import Store, UserDiary

from .conftest import Planted

TODAY = date(2026, 4, 1)


def text_of(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def test_report_shows_the_planted_figures(planted: Planted) -> None:
    planted.diary.add_medicine(Medicine("Lipitor", started=date(2024, 5, 1)))
    planted.diary.add_medicine(Medicine("Vitamin Zq"))
    pages, text = text_of(diary_report(planted.diary, "alice", today=TODAY))
    assert pages == 1
    assert f"{planted.episodes} on {planted.cramp_nights} of 84 nights" in text
    assert f"woken on {planted.woke} of 84 nights" in text  # one waking per cramp night
    assert "about 4.1 per week" in text
    assert "Bedroom temperature lower values, that day" in text  # the planted trigger
    assert "per 5 °C lower" in text
    assert "warm footbath before bed" in text and "28/28" in text  # the experiment, on/off nights
    assert "URGENT" in text and "possible blood clot" in text  # red flag, last assessment
    assert "(one leg swollen)" in text  # why, in words
    assert "furosemide loop diuretic" in text  # knowledge base
    assert "Lipitor (atorvastatin) statin" in text
    assert text.count("YES - review") == 2 and "Vitamin Zq - " in text and "not recognised" in text
    assert "Method:" in text


def test_date_range_limits_the_figures(planted: Planted) -> None:
    first, last = date(2026, 1, 5), date(2026, 1, 18)
    data = gather_report(planted.diary, "alice", first, last, TODAY)
    expected = [e for e in planted.diary.episodes() if first <= e.night <= last]
    assert data.nights == 14 and data.cramps == len(expected)
    _, text = text_of(diary_report(planted.diary, "alice", first, last, today=TODAY))
    assert f"{len(expected)} on {data.cramp_nights} of 14 nights" in text
    assert "Not enough data yet" in text  # 14 nights is too few to look for triggers


def test_empty_diary_still_gives_a_report(store: Store) -> None:
    pages, text = text_of(diary_report(store.diary("nobody"), "nobody", today=TODAY))
    assert pages == 1 and "No nights in this period" in text
    assert "No nights recorded from 05 Mar 2026 to 01 Apr 2026" in text
    assert "No cramps recorded; no nights recorded" in text
    assert "Not enough data yet: no nights recorded" in text
    assert not re.search(r"\b0 (on|of|nights)\b", text)  # no "0 on 0 of 0 nights"


def test_nights_without_cramps_say_so(store: Store) -> None:
    diary = store.diary("calm")
    for n in range(3):
        diary.put_day(DayLog(date(2026, 3, 20) + timedelta(days=n), {"legs_cold": False}))
    _, text = text_of(diary_report(diary, "calm", today=TODAY))
    assert "No cramps recorded in 3 nights; 3 nights: too few for a weekly rate" in text


def test_warning_signs_give_the_saved_reasons_in_words(store: Store) -> None:
    from crampwise.assess.plain import plain_result

    diary = store.diary("statin")
    situation = {"medications": ["Lipitor"], "episode": {"per_week": 5}}
    diary.save_assessment(situation, plain_result(assess(situation)))
    _, text = text_of(diary_report(diary, "statin", today=TODAY))
    assert (
        "Frequent cramps while taking a cramp-linked medicine "
        "(you take Lipitor (atorvastatin, a statin), 5 cramps a week)"
    ) in text


def test_a_warning_sign_is_not_named_twice(store: Store) -> None:
    from crampwise.assess.plain import plain_result

    diary = store.diary("chest")
    situation = {"symptoms": ["chest_pain"]}
    diary.save_assessment(situation, plain_result(assess(situation)))
    _, text = text_of(diary_report(diary, "chest", today=TODAY))
    assert "Chest pain" in text
    assert "Chest pain (chest pain)" not in " ".join(text.split())


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="needs poppler-utils (make system-deps)"
)
def test_pages_render_with_the_weekly_chart(planted: Planted, tmp_path: Path) -> None:
    from PIL import Image

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(diary_report(planted.diary, "alice", today=TODAY))
    subprocess.run(["pdftoppm", "-r", "50", "-png", pdf, tmp_path / "page"], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert 1 <= len(pngs) <= 2
    with Image.open(pngs[0]) as img:
        rgb = img.convert("RGB")
        counts = {colour: n for n, colour in rgb.getcolors(maxcolors=1 << 20) or []}
    bars = counts.get((0x3D, 0x6F, 0xB6), 0)
    assert bars > 500  # the blue weekly bars are drawn, not just text


def test_cli_report(planted: Planted, tmp_path: Path) -> None:
    env = dict(os.environ, CRAMPWISE_DATABASE_URL=planted.url)
    exe = Path(sys.executable).with_name("crampwise")
    out = tmp_path / "report.pdf"
    done = subprocess.run(
        [exe, "--user", "alice", "report", "--from", "2026-01-05", "--to", "2026-01-11", "-o", out],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    first_week = [e for e in planted.diary.episodes() if e.night <= date(2026, 1, 11)]
    assert f"{len(first_week)} on " in text_of(out.read_bytes())[1]
    size = round(out.stat().st_size / 1024)
    assert done.stderr == f"Wrote a 1-page report to {out} ({size} KB).\n"
    bad = subprocess.run([exe, "report", "--from", "05/01/2026", "-o", out], env=env,
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert bad.returncode == 2 and "'from'" in bad.stderr


def test_a_crowded_diary_still_fits_on_two_pages(planted: Planted) -> None:
    for n in range(30):
        planted.diary.add_medicine(Medicine(f"remedy{n}"))
    for n in range(9):
        planted.diary.save_experiment("calf_stretch_bedtime", [
            {"start": f"2026-0{1 + n % 3}-01", "end": f"2026-0{1 + n % 3}-07", "condition": "on"},
            {"start": f"2026-0{1 + n % 3}-08", "end": f"2026-0{1 + n % 3}-14", "condition": "off"},
        ], factor="stretched")  # fmt: skip
    pages, text = text_of(diary_report(planted.diary, "alice", today=TODAY))
    assert pages == 2
    assert "earlier experiments not shown" in text and "remedy29" in text
    assert "warm footbath" not in text  # the oldest experiment is the one left out
    assert text.index("furosemide") < text.index("remedy0")  # linked medicines first


def _few_nights(store: Store) -> UserDiary:
    """Three nights: a 264-second cramp among short ones, pain rated, waking never asked."""
    diary = store.diary("bea")
    first = date(2026, 3, 2)
    for night, (seconds, pain) in enumerate([(5, 3), (10, 4), (20, 6), (60, 7), (264, 9)]):
        at = datetime.combine(first + timedelta(days=1 + night % 3), time(2, 10 + night))
        diary.add_episode(Episode(started_at=at, duration_s=seconds, pain=pain, side="left"))
    diary.put_days([DayLog(first + timedelta(days=i), {"stretched": True}) for i in range(3)])
    return diary


def test_few_nights_give_plain_robust_figures(store: Store) -> None:
    diary = _few_nights(store)
    _, text = text_of(diary_report(diary, "bea", today=TODAY))
    assert "3 nights: too few for a weekly rate" in text and not re.search(r"\d per week", text)
    # Median and the middle half stay inside the values: never "IQR -22.5-148.5".
    assert "median under 1 min; middle half under 1 min to about 1 min; longest about 4 min" in text
    assert "(5 cramps timed)" in text and " s)" not in text and "264" not in text
    assert "median 6; middle half 4 to 7; worst 9 (5 cramps rated)" in text
    assert "Woken by cramps not recorded" in text and "0 of 3" not in text
    assert "IQR" not in text


def test_quartiles_never_leave_the_values() -> None:
    assert quartiles([5.0, 10.0, 20.0, 60.0, 264.0]) == (10.0, 20.0, 60.0)
    assert quartiles([30.0, 264.0]) == (88.5, 147.0, 205.5)
    assert quartiles([7.0]) == (7.0, 7.0, 7.0)


def test_the_pain_chart_is_drawn_from_the_pain_values(store: Store, tmp_path: Path) -> None:
    pytest.importorskip("PIL")
    if shutil.which("pdftoppm") is None:
        pytest.skip("needs poppler-utils (make system-deps)")
    from PIL import Image

    pdf = tmp_path / "few.pdf"
    pdf.write_bytes(diary_report(_few_nights(store), "bea", today=TODAY))
    subprocess.run(["pdftoppm", "-r", "100", "-png", pdf, tmp_path / "page"], check=True)
    with Image.open(sorted(tmp_path.glob("page-*.png"))[0]) as img:
        rgb = img.convert("RGB")
        counts = {colour: n for n, colour in rgb.getcolors(maxcolors=1 << 20) or []}
    assert counts.get((0xB0, 0x4A, 0x3D), 0) > 20  # the red dots of the five rated cramps


def test_figures_in_the_chosen_units(planted: Planted) -> None:
    planted.diary.set_units("us")
    _, text = text_of(diary_report(planted.diary, "alice", today=TODAY))
    assert "per 9 °F lower" in text and "°C" not in text


def test_conditions_and_assessment_medicines_in_words(planted: Planted) -> None:
    situation = {"conditions": ["chronic_kidney_disease", "diabetes"], "medications": ["Lasix"]}
    planted.diary.save_assessment(situation, assess(situation).to_dict())
    _, text = text_of(diary_report(planted.diary, "alice", today=TODAY))
    assert "Chronic kidney disease, diabetes" in text
    assert "Lasix (furosemide)" in text or "furosemide" in text


@pytest.mark.parametrize("crowded", [False, True])
def test_no_codes_or_key_value_text_in_the_pdf(planted: Planted, crowded: bool) -> None:
    if crowded:
        planted.diary.add_medicine(Medicine("Lipitor"))
        situation = {"conditions": ["peripheral_arterial_disease"], "symptoms": ["fever"]}
        planted.diary.save_assessment(situation, assess(situation).to_dict())
    _, text = text_of(diary_report(planted.diary, "alice", today=TODAY))
    assert re.findall(r"\b[a-z]+_[a-z_]+\b", text) == []
    assert re.findall(r"\w=\w|\w = \w", text) == []
    assert "P(helps)" not in text


def test_page_count_is_what_the_readme_says(planted: Planted) -> None:
    """The README promises one A4 page, two for a crowded diary; these count them."""
    assert page_count(diary_report(planted.diary, "alice", today=TODAY)) == 1
    for n in range(30):
        planted.diary.add_medicine(Medicine(f"remedy{n}"))
    crowded = diary_report(planted.diary, "alice", today=TODAY)
    assert page_count(crowded) == 2 == len(PdfReader(io.BytesIO(crowded)).pages)
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert "one A4 page" in readme and "two pages" in readme and "two-page" not in readme
