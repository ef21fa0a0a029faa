"""Monte Carlo draws: uniform, triangular, truncated normal and lognormal factors, and discrete
choices among listed values, with optional rank correlation between parameters (Iman & Conover
1982).

Every draw is a pure function of the seed, the parameter list and n, so the same batch file
gives the same draws on any machine and any executor.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

DISTRIBUTIONS = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "truncnorm": ("mean", "sd", "low", "high"),
    "lognormal": ("median", "sigma"),
    "choice": (),  # values: [...], weights: [...] (equal when omitted)
}


def check_parameters(p: dict) -> str | None:
    """A message if the distribution of one parameter is not well formed, else None."""
    dist = p.get("dist")
    if dist not in DISTRIBUTIONS:
        return f"dist must be one of: {', '.join(DISTRIBUTIONS)}"
    if dist == "choice":
        return _check_choice(p)
    missing = [k for k in DISTRIBUTIONS[dist] if not isinstance(p.get(k), int | float)]
    if missing:
        return f"{dist} needs numbers for: {', '.join(missing)}"
    if dist in ("uniform", "triangular") and not p["low"] < p["high"]:
        return "low must be below high"
    if dist == "triangular" and not p["low"] <= p["mode"] <= p["high"]:
        return "mode must lie between low and high"
    if dist == "truncnorm" and not (p["sd"] > 0 and p["low"] < p["high"]):
        return "truncnorm needs sd > 0 and low < high"
    if dist == "lognormal" and not (p["sigma"] > 0 and p["median"] > 0):
        return "lognormal needs median > 0 and sigma > 0"
    return None


def _check_choice(p: dict) -> str | None:
    values, weights = p.get("values"), p.get("weights")
    if not isinstance(values, list) or not values or \
            not all(isinstance(v, int | float) for v in values):
        return "choice needs values: a list of numbers"
    if weights is None:
        return None
    if not isinstance(weights, list) or len(weights) != len(values) or \
            not all(isinstance(w, int | float) and w > 0 for w in weights):
        return "choice weights must be positive numbers, one per value"
    if abs(sum(weights) - 1.0) > 1e-9:
        return f"choice weights must add up to 1 (they add up to {sum(weights):g})"
    return None


def ppf(p: dict, u: np.ndarray) -> np.ndarray:
    """Quantiles of parameter ``p`` at probabilities ``u`` (for a choice: the value whose
    cumulative weight first exceeds u)."""
    d = p["dist"]
    if d == "choice":
        values = np.asarray(p["values"], dtype=float)
        w = np.asarray(p.get("weights") or np.full(len(values), 1.0 / len(values)), float)
        edges = np.cumsum(w)[:-1]
        return values[np.searchsorted(edges, u, side="right")]
    if d == "uniform":
        return p["low"] + u * (p["high"] - p["low"])
    if d == "triangular":
        width = p["high"] - p["low"]
        return stats.triang.ppf(u, (p["mode"] - p["low"]) / width, loc=p["low"], scale=width)
    if d == "truncnorm":
        a = (p["low"] - p["mean"]) / p["sd"]
        b = (p["high"] - p["mean"]) / p["sd"]
        return stats.truncnorm.ppf(u, a, b, loc=p["mean"], scale=p["sd"])
    return p["median"] * np.exp(p["sigma"] * stats.norm.ppf(u))


def draw(parameters: list[dict], n: int, seed: int,
         correlation: np.ndarray | None = None) -> np.ndarray:
    """An (n, k) array of draws; columns follow ``parameters``. With a target rank-correlation
    matrix the columns are reordered (Iman–Conover) without changing their marginals."""
    rng = np.random.default_rng(seed)
    k = len(parameters)
    u = rng.random((n, k))
    x = np.column_stack([ppf(p, u[:, j]) for j, p in enumerate(parameters)]) if k else \
        np.empty((n, 0))
    if correlation is not None and k > 1 and not np.allclose(correlation, np.eye(k)):
        x = iman_conover(x, correlation, rng)
    return x


def iman_conover(x: np.ndarray, target: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Reorder each column of ``x`` so the rank correlations approach ``target``."""
    n, k = x.shape
    scores = stats.norm.ppf(np.arange(1, n + 1) / (n + 1))
    s = np.column_stack([rng.permutation(scores) for _ in range(k)])
    e = np.corrcoef(s, rowvar=False)
    p = np.linalg.cholesky(target)
    q = np.linalg.cholesky(e)
    t = s @ np.linalg.inv(q).T @ p.T
    out = np.empty_like(x)
    for j in range(k):
        ranks = np.argsort(np.argsort(t[:, j]))
        out[:, j] = np.sort(x[:, j])[ranks]
    return out


def correlation_matrix(names: list[str], pairs: list[dict]) -> np.ndarray:
    """Target rank-correlation matrix from ``[{between: [a, b], rho: r}, ...]``."""
    c = np.eye(len(names))
    where = {n: i for i, n in enumerate(names)}
    for pr in pairs:
        a, b = (where[x] for x in pr["between"])
        c[a, b] = c[b, a] = float(pr["rho"])
    return c
