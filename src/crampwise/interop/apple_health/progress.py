"""A progress bar for a long Apple Health import, shown only to a person at a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable


def progress_printer() -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A Rich progress bar on stderr when it is a terminal, else nothing: (update, close)."""
    if not sys.stderr.isatty():
        return None, lambda: None
    # Rich is imported only when a bar is drawn: piped and scripted imports never load it.
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    bar = Progress(
        "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
        TransferSpeedColumn(), TimeRemainingColumn(), transient=True,
    )  # fmt: skip
    bar.start()
    task = bar.add_task("Reading Apple Health export", total=None)
    last = [0]

    def update(done: int, total: int) -> None:
        if done - last[0] >= 4 << 20 or done >= total:  # redraw every 4 MB
            last[0] = done
            bar.update(task, completed=done, total=total)

    return update, bar.stop
