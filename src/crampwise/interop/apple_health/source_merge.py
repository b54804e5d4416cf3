"""Count overlapping samples from several devices once, as the Health app does.

Apple Watch and iPhone both record steps (and distance...) for the same minutes. For each
day and type the best-ranked source counts in full; a lower-ranked sample counts only for
the fraction of its interval that no better source covers (pro rata).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from datetime import date


class SourceMerger:
    """Interval samples per (factor, day, source rank), reduced to one total per (factor, day).

    `pending` maps (factor, day, rank) to a flat `array('d')` of start, end, value triples;
    the importer appends to it directly (one dict look-up per sample), `add` does the same.
    """

    def __init__(self) -> None:
        self.pending: dict[tuple[str, date, int], array[float]] = {}
        self._compacted: dict[tuple[str, date, int], int] = {}  # samples after last compact

    def add(
        self, factor: str, day: date, rank: int, start: float, end: float, value: float
    ) -> None:
        arr = self.pending.get((factor, day, rank))
        if arr is None:
            arr = self.pending[(factor, day, rank)] = array("d")
        arr.extend((start, end, value))

    def compact(self, max_per_day: int) -> int:
        """Shrink what is held without changing any total; return how many samples remain.

        A Watch sample (rank 0, always the best source) counts in full, so only its total and
        the time it covers are kept: a day's Watch samples become the union of their
        intervals, the sum riding on the first. Other samples sharing an interval are added
        up. Raises `TooManySamples` when one (type, day, source kind) still holds more than
        `max_per_day` distinct intervals: no device writes that many.
        """
        held = 0
        for key, arr in self.pending.items():
            if len(arr) > 3 * self._compacted.get(key, 1) + 3 * _SMALL:
                arr = self.pending[key] = _compact(arr, watch=key[2] == 0)
                self._compacted[key] = len(arr) // 3
                if len(arr) > 3 * max_per_day:
                    raise TooManySamples(key[0], key[1], len(arr) // 3)
            held += len(arr) // 3
        return held

    def flush(self, totals: dict[tuple[str, date], float]) -> None:
        groups: dict[tuple[str, date], dict[int, array[float]]] = {}
        for (factor, day, rank), arr in self.pending.items():
            by_rank = groups.get((factor, day))
            if by_rank is None:
                by_rank = groups[(factor, day)] = {}
            by_rank[rank] = arr
        for key, by_rank in groups.items():
            totals[key] = totals.get(key, 0.0) + _merge_ranks(by_rank)
        self.pending.clear()
        self._compacted.clear()


_SMALL = 1024  # an array this much larger than when last compacted is compacted again


class TooManySamples(Exception):
    """More distinct samples of one type on one day, from one kind of source, than allowed."""

    def __init__(self, factor: str, day: date, count: int) -> None:
        super().__init__(factor, day, count)
        self.factor, self.day, self.count = factor, day, count


def _compact(arr: array[float], *, watch: bool) -> array[float]:
    """Samples with the same interval added up; for the Watch, the covered time and the sum."""
    starts, ends, values = arr[0::3], arr[1::3], arr[2::3]
    out = array("d")
    if watch:
        total = sum(values)
        for a, b in _union(list(zip(starts, ends, strict=True))):
            out.extend((a, b, total))
            total = 0.0
        return out
    summed: dict[tuple[float, float], float] = {}
    for s, e, v in zip(starts, ends, values, strict=True):
        summed[(s, e)] = summed.get((s, e), 0.0) + v
    for (s, e), v in summed.items():
        out.extend((s, e, v))
    return out


def _merge_ranks(by_rank: dict[int, array[float]]) -> float:
    """Sum the best source fully; count lower ranks only where no better source has data."""
    total = 0.0
    covered: list[tuple[float, float]] = []  # union of better sources' intervals, sorted
    for rank in sorted(by_rank):
        arr = by_rank[rank]
        starts_, ends, values = arr[0::3], arr[1::3], arr[2::3]
        if not covered:
            total += sum(values)
        else:
            starts = [a for a, _ in covered]
            for s, e, v in zip(starts_, ends, values, strict=True):
                total += v * _uncovered_fraction(s, e, covered, starts)
        covered = _union(covered + list(zip(starts_, ends, strict=True)))
    return total


def _uncovered_fraction(
    s: float, e: float, covered: list[tuple[float, float]], starts: list[float]
) -> float:
    length = e - s
    i = max(0, bisect_right(starts, s) - 1)
    if length <= 0:  # an instant: covered if inside a better source's interval
        a, b = covered[i]
        return 0.0 if a <= s < b else 1.0
    overlap = 0.0
    while i < len(covered) and covered[i][0] < e:
        a, b = covered[i]
        overlap += max(0.0, min(b, e) - max(a, s))
        i += 1
    return max(0.0, 1.0 - overlap / length)


def _union(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def source_rank(name: str, device: str | None) -> int:
    """0 for an Apple Watch, 1 for an iPhone, 2 for anything else (lower wins)."""
    if "Watch" in name or (device and "model:Watch" in device):
        return 0
    if "iPhone" in name or (device and "model:iPhone" in device):
        return 1
    return 2
