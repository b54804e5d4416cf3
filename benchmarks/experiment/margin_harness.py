"""Development harness behind README.md's "Tried on 2026-12-02": how often null diaries are
called "helps"/"worse" by each kind of bootstrap, at every safety margin, on the same diaries.

For every simulated diary it stores the observed z and the sorted z of its 400 bootstrap null
diaries (one array per variant), so any margin can be read off afterwards:

    python benchmarks/experiment/margin_harness.py run NAME RATE DAYS PAIRS RR KIND REPS VARIANTS
    python benchmarks/experiment/margin_harness.py show /tmp/margins/NAME.npz ...
    python benchmarks/experiment/margin_harness.py ceiling   # known-null power, shrunken SE

KIND: mixed | none (grid ranges with that drift), harsh or mild (the study's corners).
VARIANTS (comma-separated): unc (the package's bootstrap), cond (each pair keeps its observed
cramps), bc / bcr (frailty and over-dispersion bias-corrected by a first round of 100, then
plugged in / drawn from that round's spread), fdb (fast double bootstrap on cond), shr (the
package's bootstrap diaries, but z with a shrunken SE: its extra-Poisson parameters halfway
between the diary's estimate and the planning model's, in the diary and in every null diary).
Seeds come from NAME and the design. The README's rows were measured with an earlier copy of
this code: `unc` reproduces them digit for digit (checked on n_head), the other variants on
the same diaries with their bootstrap draws in a slightly different order (statistically the
same, not digit for digit). The rows:

    run c_03_3 0.3 7 3 1.0 mixed 1500 unc,cond     run n_03_3 0.3 7 3 1.0 mixed 1500 unc,bc,bcr
    run n_m03 0.3 7 3 1.0 mild 1500 unc,cond       run n_h03 0.3 7 3 1.0 harsh 1500 cond
    run n_03_4 0.3 7 4 1.0 mixed 1500 unc          run n_03_4c 0.3 7 4 1.0 mixed 1500 cond
    run n_head 1.0 14 4 1.0 mixed 1500 unc         run n_h1 1.0 14 4 1.0 harsh 1500 cond
    run u_1_8 1.0 14 8 1.0 mixed 600 unc,cond      run u_1_8b 1.0 14 8 1.0 none 600 unc,cond
    run n_3_12 3.0 14 12 1.0 mixed 1000 cond       run a_head 1.0 14 4 0.5 mixed 1000 unc,cond
    run f_03_3 0.3 7 3 1.0 mixed 1500 fdb          run fa_head 1.0 14 4 0.5 mixed 800 fdb
    run s_03_3 0.3 7 3 1.0 mixed 1200 unc,shr      run s_1_8 1.0 14 8 1.0 mixed 800 unc,shr
    run s_head 1.0 14 4 1.0 mixed 1200 unc,shr     run sa_head 1.0 14 4 0.5 mixed 800 unc,shr
    run s_h03 0.3 7 3 1.0 harsh 1000 unc,shr       run s_h1 1.0 14 4 1.0 harsh 1000 unc,shr
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from crampwise.experiments import nulls
from crampwise.experiments.blocks import Layout, blocks_of, layout_of
from crampwise.experiments.estimate import Studentised, fit_log_rate_ratio, studentise
from crampwise.experiments.simulation import Nuisance, SimulatedDiary, simulate_diary

OUT = Path("/tmp/margins")
REPS = 400
MARGINS = (1.0, 1.05, 1.08, 1.1, 1.12, 1.15)
Arr = Any  # numpy arrays of several shapes; this is a development script


def seed_of(*parts: object) -> int:
    return int.from_bytes("|".join(str(p) for p in parts).encode(), "little") % (2**32 - 1)


def prepare(d: SimulatedDiary) -> tuple[Arr, Arr, Layout, Studentised, int]:
    """The diary on its day grid, as analyze_nights lays it out, and its studentised fit."""
    day, counts, on = d.day_numbers, d.counts.astype(float), d.on
    order = np.argsort(day, kind="stable")
    _, pairs = blocks_of(day, on, d.period_index, d.pair_index, order)
    _, pair_ids = np.unique(pairs, return_inverse=True)
    n_pairs = int(pair_ids.max()) + 1
    layout = layout_of(day, pair_ids, n_pairs)
    y = np.zeros((1, layout.day.size))
    x = np.zeros((1, layout.day.size), dtype=bool)
    y[0, day - day[0]], x[0, day - day[0]] = counts, on
    fit = studentise(y, x, layout.observed[None, :], layout.pair, n_pairs)
    return y, x, layout, fit, int(min(on.sum(), (~on).sum()))


def frailty(rng: np.random.Generator, days: int, ar: Arr, white: Arr, rho: Arr) -> Arr:
    """Lognormal AR(1) + night-to-night log frailty, one row per (ar, white, rho)."""
    ar = np.maximum(ar, 0.0)
    total = np.log1p(np.maximum(white + ar, 0.0))
    ar_var = np.minimum(np.log1p(ar), total)
    sd, rho = np.sqrt(ar_var), np.clip(rho, 0.0, 0.9)
    shocks = rng.normal(0.0, 1.0, (sd.size, days)) * (sd * np.sqrt(1 - rho**2))[:, None]
    prev = rng.normal(0.0, 1.0, sd.size) * sd
    latent = np.empty((sd.size, days))
    for t in range(days):
        prev = rho * prev + shocks[:, t]
        latent[:, t] = prev
    latent += (
        rng.normal(0.0, 1.0, (sd.size, days)) * np.sqrt(np.maximum(total - ar_var, 0))[:, None]
    )
    return latent, total


def finish(y_star: Arr, x: Arr, layout: Layout, rng: np.random.Generator) -> Studentised:
    """Re-draw every pair's order by a coin and analyse the null diaries."""
    coin = rng.random((y_star.shape[0], layout.pairs)) < 0.5
    x_star = x ^ coin[:, layout.pair]
    obs = np.broadcast_to(layout.observed, y_star.shape)
    return studentise(y_star, x_star, obs, layout.pair, layout.pairs)


def unconditional_rows(
    y: Arr, x: Arr, layout: Layout, beta: float, ar: Arr, white: Arr, rho: Arr, rng: Any
) -> Studentised:
    """The package's bootstrap with a nuisance per replicate (for bc / bcr)."""
    base = nulls._null_baseline(y, x, layout, beta)
    latent, total = frailty(rng, y.size, ar, white, rho)
    y_star = rng.poisson(base[None, :] * np.exp(latent - total[:, None] / 2)).astype(float)
    return finish(y_star, x[None, :], layout, rng)


def split(rng: Any, totals_of: Arr, rates: Arr, layout: Layout) -> Arr:
    """Each row's pair totals (of totals_of) split over the pair's nights by `rates`."""
    out = np.zeros(rates.shape)
    for j in range(layout.pairs):
        nights = np.flatnonzero((layout.pair == j) & layout.observed)
        if nights.size == 0:
            continue
        totals = np.rint(totals_of[:, nights].sum(axis=1)).astype(np.int64)
        share = rates[:, nights] / np.maximum(rates[:, nights].sum(axis=1, keepdims=True), 1e-300)
        out[:, nights] = rng.multinomial(totals, share)
    return out


def conditional_diaries(
    y: Arr, x: Arr, layout: Layout, fit: Studentised, rng: Any
) -> tuple[Arr, Arr]:
    """Null diaries that keep each pair's observed cramps (README: "conditional")."""
    base = nulls._null_baseline(y, x, layout, float(fit.beta[0]))
    latent, _ = frailty(rng, y.size, np.repeat(fit.ar, REPS), np.repeat(fit.white, REPS),
                        np.repeat(fit.rho, REPS))  # fmt: skip
    rates = base[None, :] * np.exp(latent)
    y_star = split(rng, np.broadcast_to(y, rates.shape), rates, layout)
    coin = rng.random((REPS, layout.pairs)) < 0.5
    return y_star, x[None, :] ^ coin[:, layout.pair]


def analysed(y_star: Arr, x_star: Arr, layout: Layout) -> Studentised:
    obs = np.broadcast_to(layout.observed, y_star.shape)
    return studentise(y_star, x_star, obs, layout.pair, layout.pairs)


def baselines(y: Arr, x: Arr, layout: Layout) -> Arr:
    """nulls._null_baseline for many diaries at once (rows), by batched Newton steps."""
    nights = np.flatnonzero(layout.observed)
    pair, p = layout.pair[nights], layout.pairs
    n_pair = np.bincount(pair, minlength=p)
    centre = np.bincount(pair, weights=layout.day[nights], minlength=p) / np.maximum(n_pair, 1)
    t_all = (layout.day - centre[layout.pair]) / 7.0
    yo, xo = y[:, nights], x[:, nights].astype(float)
    one_hot = np.eye(p)[pair]
    design = np.concatenate(
        [np.broadcast_to(one_hot, (y.shape[0], *one_hot.shape)),
         np.broadcast_to(t_all[nights][None, :, None], (y.shape[0], nights.size, 1)),
         xo[:, :, None]], axis=2)  # fmt: skip
    coef = np.zeros((y.shape[0], p + 2))
    coef[:, :p] = np.log((yo @ one_hot + 0.5) / np.maximum(n_pair, 1))
    ridge, slope = np.r_[np.full(p, 1e-6), 1.0, 1e-6], np.r_[np.zeros(p), 1.0, 0.0]
    for _ in range(30):
        mu = np.exp(np.clip(np.einsum("rni,ri->rn", design, coef), -30, 30))
        grad = np.einsum("rni,rn->ri", design, yo - mu) - ridge * slope * coef
        hess = np.einsum("rni,rn,rnj->rij", design, mu, design) + np.diag(ridge)
        step = np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
        coef += step
        if np.max(np.abs(step)) < 1e-8:
            break
    level = coef[:, :p] + coef[:, -1:] * (xo @ one_hot) / np.maximum(n_pair, 1)
    return np.exp(level[:, layout.pair] + coef[:, p : p + 1] * t_all) * layout.observed


def double(y: Arr, x: Arr, layout: Layout, fit: Studentised, rng: Any) -> Arr:
    """Fast double bootstrap on the conditional one: first-level z, then one second-level z
    per first-level diary from that diary's own fitted model (returned concatenated)."""
    y1, x1 = conditional_diaries(y, x, layout, fit, rng)
    first = analysed(y1, x1, layout)
    latent, _ = frailty(rng, y.size, first.ar, first.white, first.rho)
    y2 = split(rng, y1, baselines(y1, x1, layout) * np.exp(latent), layout)
    return np.concatenate([first.z, finish(y2, x1, layout, rng).z])


def bias_corrected(y: Arr, x: Arr, layout: Layout, fit: Studentised, rng: Any, draw: bool) -> Arr:
    """A first round of 100 estimates the bias of (ar, white + ar, rho); the main round plugs
    in the corrected values (bc) or draws them from the first round's spread (bcr)."""
    b, ar, wh, rh = (float(v[0]) for v in (fit.beta, fit.ar, fit.white, fit.rho))
    f1 = unconditional_rows(y, x, layout, b, np.full(100, ar), np.full(100, wh), np.full(100, rh),
                            rng)  # fmt: skip
    ar_bc = max(2 * ar - f1.ar.mean(), 0.0)
    tot_bc = max(2 * (ar + wh) - (f1.ar + f1.white).mean(), 0.0)
    rh_bc = float(np.clip(2 * rh - f1.rho.mean(), 0, 0.9))
    if not draw:
        ones = np.ones(REPS)
        return unconditional_rows(y, x, layout, b, ar_bc * ones, (tot_bc - ar_bc) * ones,
                                  rh_bc * ones, rng).z  # fmt: skip
    j = rng.integers(0, 100, REPS)
    ar_d = np.maximum(ar_bc + ar - f1.ar[j], 0)
    tot_d = np.maximum(tot_bc + (ar + wh) - (f1.ar + f1.white)[j], 0)
    rh_d = np.clip(rh_bc + rh - f1.rho[j], 0, 0.9)
    return unconditional_rows(y, x, layout, b, ar_d, tot_d - ar_d, rh_d, rng).z


def null_z(variant: str, y: Arr, x: Arr, layout: Layout, fit: Studentised) -> Arr:
    rng = np.random.default_rng(0)
    if variant in ("unc", "cur"):
        return np.sort(nulls.bootstrap_null_z(y[0], x[0], layout, fit, REPS, 0))
    if variant == "cond":
        return np.sort(analysed(*conditional_diaries(y[0], x[0], layout, fit, rng), layout).z)
    if variant in ("bc", "bcr"):
        return np.sort(bias_corrected(y[0], x[0], layout, fit, rng, variant == "bcr"))
    if variant == "fdb":
        return double(y[0], x[0], layout, fit, rng)
    if variant == "shr":  # first entry: the diary's own shrunken z; then its bootstrap
        own = shrunk_z(y, x, layout.observed[None, :], layout.pair, layout.pairs)
        y_star, x_star = unconditional_diaries(y[0], x[0], layout, fit)
        obs = np.broadcast_to(layout.observed, y_star.shape)
        return np.r_[own, np.sort(shrunk_z(y_star, x_star, obs, layout.pair, layout.pairs))]
    raise SystemExit(f"unknown variant {variant!r}")


def nuisance_of(kind: str) -> Nuisance:
    if kind == "harsh":
        return Nuisance((0.6, 0.6), (0.7, 0.7), (0.5, 0.5), (0.7, 0.7), "linear")
    if kind == "mild":
        return Nuisance((0.3, 0.3), (0.3, 0.3), (0.0, 0.0), (1.0, 1.0), "none")
    return Nuisance(drift="none" if kind == "none" else "mixed")


def run(args: list[str]) -> None:
    name, rate, days, pairs, rr, kind, reps, variants = args
    rng = np.random.default_rng(seed_of("h", name, float(rate), int(days), int(pairs),
                                        float(rr), kind))  # fmt: skip
    stored: dict[str, list[Arr]] = {v: [] for v in variants.split(",")}
    z, enough = [], []
    start = time.time()
    for _ in range(int(reps)):
        d = simulate_diary(rng, float(rate), int(pairs), int(days), float(rr), nuisance_of(kind))
        y, x, layout, fit, shorter_arm = prepare(d)
        z.append(float(fit.z[0]))
        enough.append(shorter_arm >= 14)
        for v in stored:
            stored[v].append(null_z(v, y, x, layout, fit).astype(np.float32))
    OUT.mkdir(exist_ok=True)
    arrays = {v: np.array(a) for v, a in stored.items()}
    np.savez(OUT / f"{name}.npz", z=np.array(z), enough=np.array(enough), **arrays)  # type: ignore[arg-type]
    print(f"{name}: {reps} diaries in {time.time() - start:.0f} s -> {OUT / name}.npz")


def mid_rank_helps(z: Arr, null: Arr) -> Arr:
    return (np.sum(null > z[:, None], axis=1) + 0.5) / (null.shape[1] + 1)


def double_helps(z: Arr, both: Arr) -> Arr:
    """1 - the fast double bootstrap p-value of "z this low" (Davidson-MacKinnon)."""
    half = both.shape[1] // 2
    out = np.empty(z.size)
    for i, (first, second) in enumerate(zip(both[:, :half], both[:, half:], strict=True)):
        p1 = (np.sum(first < z[i]) + 0.5) / (half + 1)
        q = np.quantile(second, p1)
        out[i] = 1 - (np.sum(first < q) + 0.5) / (half + 1)
    return out


def show(files: list[str]) -> None:
    print("helps / worse by margin", MARGINS)
    for f in files:
        data = np.load(f)
        z, enough = data["z"], data["enough"]
        for v in data.files:
            if v in ("z", "enough"):
                continue
            cells = []
            zv, nz = (data[v][:, 0], data[v][:, 1:]) if v == "shr" else (z, data[v])
            for m in MARGINS:
                p = double_helps(zv, m * nz) if v == "fdb" else mid_rank_helps(zv, m * nz)
                cells.append(
                    f"{np.mean((p >= 0.95) & enough):.3f}/{np.mean((p <= 0.05) & enough):.3f}"
                )
            print(Path(f).stem, v, z.size, " ".join(cells))


def se_with(
    y: Arr, x: Arr, observed: Arr, pair: Arr, pairs: int, white: Arr, ar: Arr, rho: Arr
) -> Arr:
    """beta / SE of estimate.studentise with the extra-Poisson parameters given, not fitted."""
    obs = observed.astype(float)
    xf, yo, one_hot = x.astype(float) * obs, y * obs, np.eye(pairs)[pair]
    n1, n0 = xf @ one_hot, (obs - xf) @ one_hot
    beta = fit_log_rate_ratio((yo * xf) @ one_hot, (yo * (obs - xf)) @ one_hot, n1, n0)
    eb = np.exp(beta)[:, None]
    level = ((yo * obs) @ one_hot) / np.maximum(n1 * eb + n0, 1e-12)
    w = (xf - (n1 * eb / np.maximum(n1 * eb + n0, 1e-12))[:, pair]) * obs
    mu = level[:, pair] * np.where(x, eb, 1.0) * obs
    v, poisson = w * mu, np.sum(w**2 * mu, axis=1)
    var_u = poisson + (white + ar) * np.sum(v**2, axis=1)
    decay = np.asarray(rho, dtype=float).copy()
    for k in range(1, min(28, y.shape[1] - 1) + 1):
        var_u += 2.0 * ar * decay * np.sum(v[:, k:] * v[:, :-k], axis=1)
        decay = decay * rho
    se = np.sqrt(np.maximum(var_u, poisson)) / np.maximum(np.sum(mu * w**2, axis=1), 1e-12)
    ok = np.isfinite(se) & (se > 0) & np.isfinite(beta)
    return np.where(ok, beta / np.where(ok, se, 1.0), 0.0)


PRIOR = (0.25, float(np.expm1(0.45**2)), 0.5)  # the planning model: alpha, ar, rho


def shrunk_z(y: Arr, x: Arr, observed: Arr, pair: Arr, pairs: int) -> Arr:
    """z with the SE's (white, ar, rho) halfway between the diary's estimate and PRIOR."""
    f = studentise(y, x, observed, pair, pairs)
    half = [(a + b) / 2 for a, b in zip((f.white, f.ar, f.rho), PRIOR, strict=True)]
    return se_with(y, x, observed, pair, pairs, *half)


def unconditional_diaries(y: Arr, x: Arr, layout: Layout, fit: Studentised) -> tuple[Arr, Arr]:
    """The null diaries of nulls.bootstrap_null_z (the same draws, seed 0)."""
    rng = np.random.default_rng(0)
    base = nulls._null_baseline(y, x, layout, float(fit.beta[0]))
    ar_var = float(np.log1p(float(fit.ar[0])))
    total = float(np.log1p(max(float(fit.white[0]) + float(fit.ar[0]), 0.0)))
    ar_var = min(ar_var, total)
    latent = nulls.ar1_paths(rng, REPS, y.size, np.sqrt(ar_var), float(fit.rho[0]))
    latent += rng.normal(0.0, np.sqrt(max(total - ar_var, 0.0)), (REPS, y.size))
    y_star = rng.poisson(base[None, :] * np.exp(latent - total / 2)).astype(float)
    coin = rng.random((REPS, layout.pairs)) < 0.5
    return y_star, x[None, :] ^ coin[:, layout.pair]


def ceiling() -> None:
    """Known-null power at the headline (grid frailty, 2,000 + 2,000 diaries, the headline
    table's oracle seed) of beta, of z as now, and of z with a shrunken or fixed SE."""
    pairs, period, reps = 4, 14, 2000
    days = 2 * pairs * period
    pair = np.repeat(np.arange(pairs), 2 * period)
    prior = (0.25, float(np.expm1(0.45**2)), 0.5)  # the planning model: alpha, ar, rho
    rng = np.random.default_rng(seed_of("oracle", "grid ranges (sd .3-.6, rho .3-.7, alpha 0-.5)"))
    runs: dict[str, list[Arr]] = {"beta": [], "z": [], "z halfway": [], "z planning": []}
    for ratio in (1.0, 0.5):
        now: dict[str, Arr] = {k: np.full(reps, np.inf) for k in runs}
        for i in range(reps):
            d = simulate_diary(rng, 1.0, pairs, period, ratio, Nuisance(adherence=(0.9, 0.9)))
            y, x, obs = np.zeros((1, days)), np.zeros((1, days), bool), np.zeros((1, days), bool)
            y[0, d.day_numbers], x[0, d.day_numbers], obs[0, d.day_numbers] = d.counts, d.on, True
            if min(d.on.sum(), (~d.on).sum()) < 14:
                continue
            f = studentise(y, x, obs, pair, pairs)
            half = [(a + b) / 2 for a, b in zip((f.white, f.ar, f.rho), prior, strict=True)]
            now["beta"][i], now["z"][i] = f.beta[0], f.z[0]
            now["z halfway"][i] = se_with(y, x, obs, pair, pairs, *half)[0]
            now["z planning"][i] = se_with(y, x, obs, pair, pairs, *(np.full(1, p) for p in prior))[
                0
            ]
        for k in runs:
            runs[k].append(now[k])
    for k, (null, alt) in runs.items():
        power = [float(np.mean(alt < np.quantile(null, lv))) for lv in (0.05, 0.04, 0.03)]
        print(f"{k:<11} known-null power at 5% / 4% / 3%: " + " / ".join(f"{p:.3f}" for p in power))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "ceiling":
        ceiling()
    elif len(sys.argv) > 1 and sys.argv[1] == "run" and len(sys.argv) == 10:
        run(sys.argv[2:])
    elif len(sys.argv) > 2 and sys.argv[1] == "show":
        show(sys.argv[2:])
    else:
        raise SystemExit(__doc__)
