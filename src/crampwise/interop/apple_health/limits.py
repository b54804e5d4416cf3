"""Bounds on what an Apple Health import will read, so that any file costs bounded time and memory.

Real exports are far inside every bound: a 10-year export.xml is a few GB, export.zip
compresses it 10-20 times, each day holds at most a few thousand samples of one type from
one source, and `<HealthData>` starts within the first ~100 KB (after the DTD). A file past a
bound is refused with one line naming it, before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ImportLimits:
    """The bounds; `crampwise import apple-health` has an option for the first two."""

    max_uncompressed_bytes: int = 20 << 30  # export.xml at most 20 GiB
    max_compression_ratio: float = 100.0  # export.xml / its compressed size in export.zip
    max_lead_bytes: int = 16 << 20  # <HealthData> must start within the first 16 MiB
    max_token_bytes: int = 1 << 20  # longest run without a ">" (a record is ~300 bytes)
    # Distinct sample intervals of one type, day and source kind (a sample a second is 86,400).
    max_samples_per_day: int = 200_000
    # Samples of the current type held for merging (24 bytes each; ~1.1 M for 10 years of
    # iPhone steps); Watch samples are reduced to their covered time as they come.
    max_held_samples: int = 2_000_000
    first_day: date = date(2000, 1, 1)  # records dated outside first_day..today+1 are skipped


DEFAULT_LIMITS = ImportLimits()

# Compression methods the standard library reads (Apple writes deflate).
ZIP_METHODS = {0: "stored", 8: "deflate", 12: "bzip2", 14: "lzma"}
ZIP_METHOD_NAMES = {9: "Deflate64", 6: "implode", 93: "zstd", 95: "xz", 98: "PPMd", 99: "AES"}
