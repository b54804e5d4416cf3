"""Opening an export (zip, xml or unzipped folder) and reading it ahead in a thread."""

from __future__ import annotations

import queue
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from crampwise.errors import InputError
from crampwise.interop.apple_health.limits import (
    DEFAULT_LIMITS,
    ZIP_METHOD_NAMES,
    ZIP_METHODS,
    ImportLimits,
)

READ_CHUNK = 1 << 18  # 256 KiB reads (as fast as 1 MiB, less memory); at most _QUEUED wait
_QUEUED = 8


class Prefetch:
    """Reads the stream in a background thread, 256 KiB at a time, counting bytes.

    zlib and file reads release the GIL, so on two cores unzipping overlaps parsing (from
    export.zip ~0.3-0.5 s faster per 500 MB than reading in the parsing thread; from a plain
    export.xml it makes no measurable difference).
    """

    def __init__(self, raw: IO[bytes], on_progress: Callable[[int], None] | None) -> None:
        self.done = 0
        self.on_progress = on_progress
        self._queue: queue.Queue[bytes | BaseException] = queue.Queue(maxsize=_QUEUED)
        self._stop = threading.Event()
        self._finished = False
        self._thread = threading.Thread(target=self._pump, args=(raw,), daemon=True)
        self._thread.start()

    def _pump(self, raw: IO[bytes]) -> None:
        item: bytes | BaseException = b""
        while not self._stop.is_set():
            try:
                item = raw.read(READ_CHUNK)
            except BaseException as exc:  # handed to the parsing thread, raised there
                item = exc
            while not self._stop.is_set():
                try:
                    self._queue.put(item, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if not isinstance(item, bytes) or not item:
                return

    def read(self, n: int = -1) -> bytes:
        if self._finished:
            return b""
        item = self._queue.get()
        if isinstance(item, BaseException):
            self._finished = True
            raise item
        if not item:
            self._finished = True
        self.done += len(item)
        if self.on_progress is not None:
            self.on_progress(self.done)
        return item

    def close(self) -> None:
        """Stop the reader thread (also when parsing stopped early)."""
        self._stop.set()
        self._thread.join()


@contextmanager
def open_export(
    path: Path, limits: ImportLimits = DEFAULT_LIMITS
) -> Iterator[tuple[IO[bytes], int]]:
    """Yield (binary stream of export.xml, its uncompressed size) from a zip, xml or folder.

    Refuses (InputError) an encrypted member, a compression method the standard library
    cannot read, and a member or file past `limits` (size, compression ratio): a zip bomb
    costs nothing.
    """
    if path.is_dir():
        path = path / "export.xml"
    if not path.is_file():
        raise InputError(f"file '{path}': not found")
    if zipfile.is_zipfile(path):
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"file '{path}': corrupt zip archive ({exc})") from exc
        with zf:
            names = [i for i in zf.infolist() if i.filename.rsplit("/", 1)[-1] == "export.xml"]
            if not names:
                raise InputError(
                    f"file '{path}': no export.xml inside; is this an Apple Health export?"
                )
            info = min(names, key=lambda i: i.filename.count("/"))
            _check_member(path, info, limits)
            with zf.open(info) as fh:
                yield fh, info.file_size
        return
    size = path.stat().st_size
    _check_size(path, size, limits)
    with path.open("rb") as fh:
        yield fh, size


def _check_member(path: Path, info: zipfile.ZipInfo, limits: ImportLimits) -> None:
    """Refuse what zipfile would fail on mid-stream, and members that would unpack too far.

    zipfile stops at the declared size (and then checks the CRC), so the declared size and
    ratio bound what is read.
    """
    where = f"file '{path}': {info.filename}"
    if info.flag_bits & 0x1:
        raise InputError(
            f"{where} is encrypted; export again from the Health app (exports are not "
            "encrypted); nothing was imported"
        )
    method = info.compress_type
    if method not in ZIP_METHODS:
        name = ZIP_METHOD_NAMES.get(method, f"method {method}")
        raise InputError(
            f"{where} is compressed with {name}, which crampwise cannot read "
            "(deflate, as the Health app writes, is); nothing was imported"
        )
    _check_size(path, info.file_size, limits)
    ratio = info.file_size / max(info.compress_size, 1)
    if ratio > limits.max_compression_ratio:
        raise InputError(
            f"{where} would unpack {ratio:,.0f} times larger than it is stored (limit "
            f"{limits.max_compression_ratio:,.0f}, --max-ratio); not a Health export "
            "(those compress 10-20 times); nothing was imported"
        )


def _check_size(path: Path, size: int, limits: ImportLimits) -> None:
    if size > limits.max_uncompressed_bytes:
        raise InputError(
            f"file '{path}': export.xml is {size / (1 << 30):,.1f} GiB, more than the "
            f"{limits.max_uncompressed_bytes / (1 << 30):,.1f} GiB limit (--max-size); "
            "nothing was imported"
        )
