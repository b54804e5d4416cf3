"""`make run`: start crampwise on the embedded SQLite database.

Until the web app exists this runs the interactive assessment on a terminal, or prints a
sample assessment's report when there is no terminal.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = str(Path(sys.executable).with_name("crampwise"))


def main() -> int:
    if sys.stdin.isatty():
        return subprocess.call([EXE, "assess"])
    sample = ROOT / "scripts" / "sample-situation.json"
    return subprocess.call([EXE, "assess", str(sample), "--format", "human"])


if __name__ == "__main__":
    sys.exit(main())
