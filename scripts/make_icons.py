"""Draw the app icons once (PNG for the web app manifest); the output is committed.

Run: `.venv/bin/python scripts/make_icons.py`. Pillow comes with reportlab.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "src" / "crampwise" / "web" / "static" / "icons"
NIGHT = (15, 20, 32, 255)
MOON = (143, 176, 255, 255)
LEG = (255, 107, 107, 255)


def draw(size: int, safe: float) -> Image.Image:
    """A crescent moon over a small red bolt on the night colour; `safe` shrinks for maskable."""
    img = Image.new("RGBA", (size, size), NIGHT)
    d = ImageDraw.Draw(img)
    c = size / 2
    r = size * 0.30 * safe
    d.ellipse((c - r, c - r * 1.2, c + r, c + r * 0.8), fill=MOON)
    off = r * 0.55
    d.ellipse((c - r + off, c - r * 1.35, c + r + off, c + r * 0.65), fill=NIGHT)
    s = size * safe
    bolt = [
        (c - 0.02 * s, c + 0.08 * s),
        (c + 0.10 * s, c + 0.08 * s),
        (c + 0.01 * s, c + 0.22 * s),
        (c + 0.13 * s, c + 0.22 * s),
        (c - 0.08 * s, c + 0.40 * s),
        (c - 0.01 * s, c + 0.27 * s),
        (c - 0.12 * s, c + 0.27 * s),
    ]
    d.polygon(bolt, fill=LEG)
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    draw(192, 1.0).save(OUT / "icon-192.png", optimize=True)
    draw(512, 1.0).save(OUT / "icon-512.png", optimize=True)
    draw(512, 0.8).save(OUT / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
