"""Clinician report: the planted figures are in the PDF text, and the pages render."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from crampwise.diary.model import Medicine
from crampwise.interop.report import diary_report, gather_report
from crampwise.store import Store

from .conftest import Planted

TODAY = date(2026, 4, 1)


def text_of(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def test_report_shows_the_planted_figures(planted: Planted) -> None:
    planted.diary.add_medicine(Medicine("Lipitor", started=date(2024, 5, 1)))
    planted.diary.add_medicine(Medicine("Vitamin Zq"))
    pages, text = text_of(diary_report(planted.diary, "alice", today=TODAY))
    assert pages <= 2
    assert f"{planted.episodes} on {planted.cramp_nights} nights" in text
    assert f"{planted.woke} of 84 nights" in text  # nights woken (one waking per cramp night)
    assert "Bedroom temperature" in text and "lower, same day" in text  # the planted trigger
    assert "warm footbath before bed" in text and "28/28" in text  # the experiment, on/off nights
    assert "URGENT" in text and "possible blood clot" in text  # red flag, last assessment
    assert "furosemide loop diuretic" in text and "Lipitor statin" in text  # knowledge base
    assert text.count("YES - review") == 2 and "Vitamin Zq - " in text and "not recognised" in text
    assert "Method:" in text


def test_date_range_limits_the_figures(planted: Planted) -> None:
    first, last = date(2026, 1, 5), date(2026, 1, 18)
    data = gather_report(planted.diary, "alice", first, last, TODAY)
    expected = [e for e in planted.diary.episodes() if first <= e.night <= last]
    assert data.nights == 14 and data.cramps == len(expected)
    _, text = text_of(diary_report(planted.diary, "alice", first, last, today=TODAY))
    assert f"{len(expected)} on {data.cramp_nights} nights" in text
    assert "Not enough data yet" in text  # 14 nights is too few to look for triggers


def test_empty_diary_still_gives_a_report(store: Store) -> None:
    pages, text = text_of(diary_report(store.diary("nobody"), "nobody", today=TODAY))
    assert pages == 1 and "0 on 0 nights" in text and "No nights in this period" in text


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
    assert pages <= 2
    assert "earlier experiments not shown" in text and "remedy29" in text
    assert "warm footbath" not in text  # the oldest experiment is the one left out
    assert text.index("furosemide") < text.index("remedy0")  # linked medicines first
