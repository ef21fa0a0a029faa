"""Vectorised building blocks: Pyomo variables and constraints made from pandas frames.

A `VarBlock` is one indexed Pyomo ``Var`` whose index is a DataFrame (one column per
dimension, row order = position). Linear rows are described as `Terms`: which variables
(block + positions), which row each term belongs to (row-key columns) and a coefficient.
`Builder.add_rows` groups the terms by row and creates one indexed Pyomo ``Constraint`` whose
bodies are `LinearExpression` objects built from float lists — the fast path through Pyomo.

Every variable and row block keeps its index frame, so solutions and duals come back as arrays
aligned with tidy frames, and no module ever loops over scalars.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

INF = float("inf")

_DOMAINS = {
    "continuous": pyo.Reals,
    "integer": pyo.Integers,
    "binary": pyo.Binary,
}


def _lookup_index(frame: pd.DataFrame) -> pd.Index:
    if frame.shape[1] == 1:
        return pd.Index(frame.iloc[:, 0].to_numpy())
    return pd.MultiIndex.from_frame(frame)


def positions(index: pd.Index, dims: Sequence[str], keys: pd.DataFrame,
              what: str) -> np.ndarray:
    """Positions in ``index`` of the rows of ``keys[dims]``; every key must exist."""
    probe = _lookup_index(keys[list(dims)])
    pos = index.get_indexer(probe)
    if (pos < 0).any():
        missing = keys.loc[pos < 0, list(dims)].drop_duplicates().head(5)
        raise KeyError(f"{what}: keys not in the index:\n{missing.to_string(index=False)}")
    return pos


@dataclass
class VarBlock:
    """One indexed Pyomo variable with a tidy index frame."""

    name: str
    index: pd.DataFrame
    var: pyo.Var
    data: np.ndarray  # VarData objects in index order
    unit: str
    doc: str
    _lookup: pd.Index = field(repr=False, default=None)

    @property
    def dims(self) -> list[str]:
        return list(self.index.columns)

    def __len__(self) -> int:
        return len(self.index)

    def pos(self, keys: pd.DataFrame, on: dict[str, str] | None = None) -> np.ndarray:
        """Positions of the variables named by ``keys``; ``on`` maps a dimension to the
        column of ``keys`` that holds it when the names differ."""
        if self._lookup is None:
            self._lookup = _lookup_index(self.index)
        on = on or {}
        sel = keys[[on.get(d, d) for d in self.dims]]
        sel.columns = self.dims
        return positions(self._lookup, self.dims, sel, self.name)

    def terms(self, frame: pd.DataFrame, coef: str | float | np.ndarray = 1.0,
              on: dict[str, str] | None = None) -> Terms:
        """Terms for the variables named by the rows of ``frame``, which also holds the
        row-key columns of the rows they go into (``on`` as in `pos`)."""
        c = frame[coef].to_numpy(float) if isinstance(coef, str) else np.broadcast_to(
            np.asarray(coef, float), (len(frame),)).copy()
        return Terms(self, self.pos(frame, on), frame.reset_index(drop=True), c)


@dataclass
class Terms:
    """Linear terms: ``coef[i] * block[var_pos[i]]`` going into the row whose key is
    ``keys.iloc[i]`` (row-key columns are matched by name when the rows are made)."""

    block: VarBlock
    var_pos: np.ndarray
    keys: pd.DataFrame
    coef: np.ndarray

    def scaled(self, factor: float | np.ndarray) -> Terms:
        return Terms(self.block, self.var_pos, self.keys, self.coef * factor)


@dataclass
class RowBlock:
    """One indexed Pyomo constraint with a tidy index frame; ``lb``/``ub`` in ``unit``."""

    name: str
    index: pd.DataFrame
    con: pyo.Constraint
    data: list  # ConstraintData in index order (None where a row had no terms)
    lb: np.ndarray
    ub: np.ndarray
    unit: str
    doc: str

    def __len__(self) -> int:
        return len(self.index)


@dataclass
class CostTerms:
    """Undiscounted cost of year ``year[i]``: ``coef[i]`` 万元 per unit of the variable."""

    component: str
    block: VarBlock
    var_pos: np.ndarray
    year: np.ndarray
    coef: np.ndarray


class Builder:
    """Creates named variable and row blocks on a Pyomo ConcreteModel and remembers them."""

    def __init__(self, model: pyo.ConcreteModel):
        self.m = model
        self.vars: dict[str, VarBlock] = {}
        self.rows: dict[str, RowBlock] = {}
        self.costs: list[CostTerms] = []

    # -- variables --------------------------------------------------------------------------
    def add_var(self, name: str, index: pd.DataFrame, *, lb: float | np.ndarray | None = 0.0,
                ub: float | np.ndarray | None = None, domain: str | np.ndarray = "continuous",
                unit: str = "", doc: str = "") -> VarBlock:
        if name in self.vars:
            raise ValueError(f"variable block {name!r} defined twice")
        index = index.reset_index(drop=True)
        keys = _keys(index)
        iset = pyo.Set(initialize=keys, dimen=index.shape[1], ordered=True)
        self.m.add_component(f"{name}_index", iset)
        var = pyo.Var(iset, doc=doc)
        self.m.add_component(name, var)
        data = np.fromiter((var[k] for k in keys), dtype=object, count=len(keys))
        n = len(index)
        lbs = _broadcast(lb, n, -INF)
        ubs = _broadcast(ub, n, INF)
        doms = np.broadcast_to(np.asarray(domain, dtype=object), (n,))
        for vd, lo, hi, dom in zip(data, lbs.tolist(), ubs.tolist(), doms, strict=True):
            if dom != "continuous":
                vd.domain = _DOMAINS[dom]
            vd.setlb(None if lo == -INF else lo)
            vd.setub(None if hi == INF else hi)
        block = VarBlock(name, index, var, data, unit, doc)
        self.vars[name] = block
        return block

    # -- rows ---------------------------------------------------------------------------------
    def add_rows(self, name: str, index: pd.DataFrame, terms: Sequence[Terms], *,
                 lb: float | np.ndarray | None = None, ub: float | np.ndarray | None = None,
                 unit: str = "", doc: str = "") -> RowBlock:
        """One row per line of ``index``: ``lb <= sum(terms of the row) <= ub``. A two-sided
        limit stays one ranged row (a warm re-solve with split rows ran 9x slower)."""
        if name in self.rows:
            raise ValueError(f"row block {name!r} defined twice")
        index = index.reset_index(drop=True)
        n = len(index)
        lbs = _broadcast(lb, n, -INF)
        ubs = _broadcast(ub, n, INF)
        dims = list(index.columns)
        row_lookup = _lookup_index(index)
        rows_, vars_, coefs_ = [], [], []
        for t in terms:
            if len(t.coef) == 0:
                continue
            rows_.append(positions(row_lookup, dims, t.keys, f"{name} rows"))
            vars_.append(t.block.data[t.var_pos])
            coefs_.append(t.coef)
        if rows_:
            r = np.concatenate(rows_)
            v = np.concatenate(vars_)
            c = np.concatenate(coefs_)
            keep = c != 0.0
            r, v, c = r[keep], v[keep], c[keep]
            order = np.argsort(r, kind="stable")
            r, v, c = r[order], v[order], c[order]
            bounds = np.searchsorted(r, np.arange(n + 1))
        else:
            v, c = np.empty(0, dtype=object), np.empty(0)
            bounds = np.zeros(n + 1, dtype=int)
        keys = _keys(index)
        exprs: dict = {}
        lb_list, ub_list = lbs.tolist(), ubs.tolist()
        for i, k in enumerate(keys):
            a, b = bounds[i], bounds[i + 1]
            if a == b:
                continue  # a row without variables is a data check, not a constraint
            body = LinearExpression(constant=0.0, linear_coefs=c[a:b].tolist(),
                                    linear_vars=v[a:b].tolist())
            lo, hi = lb_list[i], ub_list[i]
            exprs[k] = (None if lo == -INF else lo, body, None if hi == INF else hi)
        iset = pyo.Set(initialize=list(exprs), dimen=len(dims), ordered=True)
        self.m.add_component(f"{name}_index", iset)
        con = pyo.Constraint(iset, rule=lambda _m, *k: exprs[k if len(k) > 1 else k[0]],
                             doc=doc)
        self.m.add_component(name, con)
        data = [con[k] if k in exprs else None for k in keys]
        block = RowBlock(name, index, con, data, lbs, ubs, unit, doc)
        self.rows[name] = block
        return block

    # -- costs ---------------------------------------------------------------------------------
    def add_cost(self, component: str, block: VarBlock, frame: pd.DataFrame,
                 coef: str = "coef", year: str = "year") -> None:
        """Register undiscounted costs: ``frame[coef]`` 万元 in year ``frame[year]`` per unit of
        the variable named by ``frame``'s dimension columns."""
        if frame.empty:
            return
        self.costs.append(CostTerms(component, block, block.pos(frame),
                                    frame[year].to_numpy(int), frame[coef].to_numpy(float)))


def _keys(index: pd.DataFrame) -> list:
    if index.shape[1] == 1:
        return index.iloc[:, 0].tolist()
    return list(index.itertuples(index=False, name=None))


def _broadcast(x: float | np.ndarray | None, n: int, none_value: float) -> np.ndarray:
    if x is None:
        return np.full(n, none_value)
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if len(arr) != n:
        raise ValueError(f"bound array of length {len(arr)} for {n} entries")
    return np.where(np.isnan(arr), none_value, arr)
