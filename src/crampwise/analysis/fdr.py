"""False discovery rate control across every factor, level and lag tested in one run."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["SIGNIFICANCE_Q", "bh_qvalues"]

# A finding is reported as significant when its q-value is at most this (contract §2).
SIGNIFICANCE_Q = 0.10


def bh_qvalues(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the order given.

    q_(i) = min over j >= i of p_(j) * m / j, capped at 1, for p sorted ascending.
    """
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = min(1.0, running)
    return q
