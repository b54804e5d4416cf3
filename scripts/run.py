"""`make run`: start the crampwise web app on the embedded SQLite database.

Prints the address to open; the first visit creates the owner account.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("crampwise"))
    print(f"crampwise: open http://{args.host}:{args.port}/ in a browser", flush=True)
    # exec: Ctrl+C and `kill` reach the server itself.
    os.execv(exe, [exe, "serve", "--host", args.host, "--port", str(args.port)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
