"""Hostile inputs for the importers, generated on the fly (never committed).

Zips are written by hand from a deflate stream of one block repeated: after a full flush the
compressor starts afresh, so every repeat of the same block compresses to the same bytes and
a gigabyte member costs a few milliseconds of compression (and one CRC pass) to build.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from pathlib import Path

HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n'
TAIL = b"</HealthData>\n"
MB = 1 << 20


class _Member:
    """A member's bytes as (piece, repeats) runs, deflated piece by piece with full flushes."""

    def __init__(self, runs: Iterable[tuple[bytes, int]]) -> None:
        self.runs = list(runs)

    def deflate(self) -> tuple[list[tuple[bytes, int]], int, int, int]:
        """(compressed runs, crc32, uncompressed size, compressed size)."""
        out, crc, size, packed = [], 0, 0, 0
        for piece, times in self.runs:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            block = c.compress(piece) + c.flush(zlib.Z_FULL_FLUSH)
            out.append((block, times))
            for _ in range(times):
                crc = zlib.crc32(piece, crc)
            size += len(piece) * times
            packed += len(block) * times
        out.append((zlib.compressobj(9, zlib.DEFLATED, -15).flush(), 1))  # the final block
        packed += len(out[-1][0])
        return out, crc, size, packed


def write_zip(
    path: Path,
    runs: Iterable[tuple[bytes, int]],
    *,
    name: str = "apple_health_export/export.xml",
    flags: int = 0,
    method: int = 8,
) -> Path:
    """A one-member zip (zip64 sizes when needed); `flags`/`method` as written in the headers."""
    blocks, crc, size, packed = _Member(runs).deflate()
    big = size >= 0xFFFFFFFF or packed >= 0xFFFFFFFF
    fname = name.encode()
    extra = struct.pack("<HHQQ", 1, 16, size, packed) if big else b""
    s32 = (0xFFFFFFFF, 0xFFFFFFFF) if big else (size, packed)
    version = 45 if big else 20
    with path.open("wb") as fh:
        fh.write(
            struct.pack(
                "<IHHHHHIII", 0x04034B50, version, flags, method, 0, 0x21, crc, s32[1], s32[0]
            )
            + struct.pack("<HH", len(fname), len(extra))
            + fname
            + extra
        )
        for block, times in blocks:
            for _ in range(times):
                fh.write(block)
        cd_at = fh.tell()
        central = (
            struct.pack(
                "<IHHHHHHIII",
                0x02014B50,
                version,
                version,
                flags,
                method,
                0,
                0x21,
                crc,
                s32[1],
                s32[0],
            )
            + struct.pack("<HHHHHII", len(fname), len(extra), 0, 0, 0, 0, 0)
            + fname
            + extra
        )
        fh.write(central)
        fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), cd_at, 0))
    return path


def record(start: str, value: int = 3, source: str = "Alex’s iPhone", end: str = "") -> bytes:
    return (
        f'<Record type="HKQuantityTypeIdentifierStepCount" sourceName="{source}" unit="count" '
        f'startDate="2024-03-10 {start} -0500" endDate="2024-03-10 {end or start} -0500" '
        f'value="{value}"/>\n'
    ).encode()


def small_export() -> bytes:
    return HEAD + record("08:00:00", end="08:01:00") + TAIL


def encrypted_zip(path: Path) -> Path:
    return write_zip(path, [(small_export(), 1)], flags=0x1)


def method_zip(path: Path, method: int) -> Path:
    """9 is Deflate64; any other number the standard library does not know works too."""
    return write_zip(path, [(small_export(), 1)], method=method)


def huge_attribute_zip(path: Path, size: int) -> Path:
    """One <Record> whose value attribute is `size` bytes of digits (rounded to MiB)."""
    opening = HEAD + b'<Record type="HKQuantityTypeIdentifierStepCount" value="'
    return write_zip(path, [(opening, 1), (b"7" * MB, size // MB), (b'"/>\n' + TAIL, 1)])


def whitespace_zip(path: Path, size: int) -> Path:
    return write_zip(path, [(b" " * MB, size // MB)])


def hms(t: int) -> str:
    return f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"


def one_day_runs(records: int) -> list[tuple[bytes, int]]:
    """`records` one-second iPhone step samples on 10 March 2024: one hour's 3,600 repeated."""
    hour = b"".join(record(hms(t), end=hms(t + 1)) for t in range(8 * 3600, 9 * 3600))
    return [(HEAD, 1), (hour, records // 3600), (TAIL, 1)]
