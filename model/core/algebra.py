"""Vectorised building blocks: Pyomo variables and constraints made from pandas frames.

A `VarBlock` is one indexed Pyomo ``Var`` whose index is a DataFrame (one column per
dimension, row order = position). Linear rows are described as `Terms`: which variables
(block + positions), which row each term belongs to (row-key columns) and a coefficient.
`Builder.add_rows` groups the terms by row and creates one indexed Pyomo ``Constraint`` whose
bodies are `LinearExpression` objects built from float lists — the fast path through Pyomo.

Every block also keeps its numbers as arrays (bounds, and for rows the (row, column,
coefficient) triples), so the same build can run without Pyomo (``Builder(None)``): the
array mode that batches use to recompute a variant's numbers and update a loaded HiGHS model
in place, and that benchmarks use as the floor (the same LP passed straight to highspy).
No module ever loops over scalars.
"""

from __future__ import annotations

import collections
import ctypes
import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from peakpath import pyomo_setup
from peakpath.core.frames import Keys, column_values, planned, selected
from peakpath.pandas_setup import copies_on_write

if TYPE_CHECKING:
    import pyomo.environ as pyo

INF = float("inf")



class KeyIndex:
    """Fast lookup of multi-column keys: each column is coded against its own categories and
    the codes are combined into one int64, found with a hash index."""

    def __init__(self, frame: pd.DataFrame):
        self.dims = list(frame.columns)
        # Series, not NumPy arrays: an object array would have its dtype inferred again (a
        # scan of every value) on each lookup
        cols = [frame[d] for d in self.dims]
        self.cats = [pd.Index(c.unique()) for c in cols]
        sizes = np.array([max(len(c), 1) for c in self.cats], dtype=np.int64)
        self.strides = np.concatenate([np.cumprod(sizes[::-1])[::-1][1:], [1]]).astype(np.int64)
        self.index = pd.Index(self._combine(cols))
        if not self.index.is_unique:
            dup = frame[self.index.duplicated(keep=False)].head(5)
            raise ValueError(f"duplicate keys in an index:\n{dup.to_string(index=False)}")

    @classmethod
    def of(cls, frame: pd.DataFrame, site: tuple, cache: LookupCache | None) -> KeyIndex:
        """The index of ``frame``: the one the previous build made at ``site`` when ``frame``
        holds the same keys (``cache``), else a new one."""
        if cache is None:
            return cls(frame)
        cols = _key_columns(frame, list(frame.columns))
        hit = cache.get(site, cols)
        if hit is None:
            hit = cls(frame)
            cache.put(site, cols, hit)
        return hit

    def labels(self, frame: pd.DataFrame) -> pd.Index:
        """``frame`` (the frame this index was made from) as a pandas Index: a MultiIndex
        for several columns. Made once and kept: a batch reuses this key index, and with it
        the labels, for every variant of a structure."""
        if getattr(self, "_labels", None) is None:
            self._labels = _labels_of(frame)
        return self._labels

    def digest(self, frame: pd.DataFrame) -> bytes:
        """Row hashes of ``frame`` (the frame this index was made from), made once and kept
        like `labels`."""
        if getattr(self, "_digest", None) is None:
            self._digest = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
        return self._digest

    def _combine(self, cols: list[pd.Series]) -> np.ndarray:
        total = np.zeros(len(cols[0]) if cols else 0, dtype=np.int64)
        bad = np.zeros(len(total), dtype=bool)
        for col, cats, stride in zip(cols, self.cats, self.strides, strict=True):
            code = cats.get_indexer(col)
            bad |= code < 0
            total += code.astype(np.int64) * stride
        total[bad] = -1
        return total

    def positions(self, keys: pd.DataFrame, what: str, columns: list[str] | None = None,
                  site: tuple | None = None, cache: LookupCache | None = None) -> np.ndarray:
        """Positions of the rows of ``keys``, read from ``columns`` (default: this index's
        dims, in order); every key must exist. With a ``cache``, the answer the previous
        build found at ``site`` is reused when it asked this index for the same keys (the
        answer is then read-only)."""
        columns = columns or self.dims
        cached = cache is not None and site is not None
        if cached:
            cols = _key_columns(keys, columns)
            hit = cache.get(site, cols, owner=self)
            if hit is not None:
                return hit
        codes = self._combine([keys[c] for c in columns])
        pos = self.index.get_indexer(codes)
        pos[codes < 0] = -1
        if (pos < 0).any():
            missing = keys.loc[pos < 0, columns].drop_duplicates().head(5)
            raise KeyError(f"{what}: keys not in the index:\n{missing.to_string(index=False)}")
        if cached:
            pos.flags.writeable = False
            cache.put(site, cols, pos, owner=self)
        return pos


def _labels_of(frame: pd.DataFrame) -> pd.Index:
    return (pd.Index(frame.iloc[:, 0]) if frame.shape[1] == 1
            else pd.MultiIndex.from_frame(frame))


def _key_columns(frame: pd.DataFrame, columns: list[str]) -> list[np.ndarray]:
    return [column_values(frame, c) for c in columns]


class LookupCache:
    """Key lookups of the last array build, by the place in the build that asked (its
    ``site``: block or row-block name and the order of the call within it).

    A batch builds the same structure for every variant, so each site asks again for the same
    keys (sector, district, year names) and only the numbers differ. Checking that the key
    columns are equal (mostly a pointer compare: the same string objects) costs ≈ 1/5 of
    hashing them again. An answer is reused only when every key column is equal, element by
    element, to the stored copy and it came from the same index (``owner``), so a different
    scenario only costs the comparison. One cache per `peakpath.solve.resolve.Resolver`
    (one per worker thread); it holds one structure's keys, each site's replacing the last."""

    def __init__(self) -> None:
        #: site -> (key columns, their `_signature`s, answer, owner)
        self.entries: dict[tuple, tuple[list[np.ndarray], list[bytes | None], object,
                                        object]] = {}
        self.memo_hits: collections.Counter[str] = collections.Counter()  # reuses by site
        #: site -> (tables read, settings, answer) of `memo_tables`
        self.table_entries: dict[str, tuple[tuple, tuple, dict[str, Any]]] = {}

    def get(self, site: tuple, cols: list[np.ndarray], owner: object = None):
        entry = self.entries.get(site)
        if entry is None or entry[3] is not owner:
            return None
        stored, signatures, value, _ = entry
        same = len(stored) == len(cols) and all(
            _same_values(a, b, sig) for a, b, sig in zip(stored, cols, signatures, strict=True))
        return value if same else None

    def put(self, site: tuple, cols: list[np.ndarray], value: object,
            owner: object = None) -> None:
        """Store ``value`` for ``site``, found in ``owner`` (held, so that it stays the same
        object). The key columns are copied: the caller's frame may change later."""
        kept = [c.copy() for c in cols]
        self.entries[site] = (kept, [_signature(c) for c in kept], value, owner)

    #: set by the tests (environment ``PEAKPATH_VERIFY_MEMO=1``, inherited by batch workers):
    #: a memo that would reuse an answer computes it again and checks that the two are equal,
    #: so that a memo whose inputs miss something its answer depends on fails a test instead
    #: of building a model from another variant's names
    verify: bool = os.environ.get("PEAKPATH_VERIFY_MEMO") == "1"

    def memo(self, site: str, inputs: object, compute: Callable[[Any], dict[str, Any]]
             ) -> dict[str, Any]:
        """``compute(inputs)``, or its answer for the previous build when ``inputs`` (a
        dataclass of frames, lists and scalars) is equal to that build's, element by element.
        ``compute`` must read nothing but ``inputs`` and answer a dict of frames and arrays.
        The frames handed out are copies (shallow under copy-on-write, pandas 3; deep without
        it) and the arrays read-only, so a caller cannot change the stored answer."""
        cols = _flatten(inputs)
        hit = self.get(("memo", site), cols)
        self.memo_hits[site] += hit is not None
        if hit is None or self.verify:
            fresh = compute(selected(inputs))
            if hit is not None:
                _assert_same(site, hit, fresh)
            hit = fresh
            for v in hit.values():
                if isinstance(v, np.ndarray):
                    v.flags.writeable = False
            self.put(("memo", site), cols, hit)
        return _handed_out(hit)

    def memo_tables(self, site: str, tables: tuple[pd.DataFrame, ...], settings: tuple,
                    compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """``compute()``, or its answer for the previous build when that build read the same
        table objects and equal ``settings``. A batch's variants share every input table no
        draw changes: `peakpath.io.inputs.apply_overrides` copies a table only to change it,
        and nothing changes a table in place, so the same object holds the same data. For
        what reads unchanged tables only (emission factors, tax components, districts);
        copies are handed out as by `memo`."""
        entry = self.table_entries.get(site)
        same = entry is not None and len(entry[0]) == len(tables) and all(
            a is b for a, b in zip(entry[0], tables, strict=True)) and entry[1] == settings
        self.memo_hits[site] += same
        if not same or self.verify:
            fresh = compute()
            if same:
                _assert_same(site, entry[2], fresh)
            for v in fresh.values():
                if isinstance(v, np.ndarray):
                    v.flags.writeable = False
            entry = (tables, settings, fresh)
            self.table_entries[site] = entry
        return _handed_out(entry[2])


def _same_values(a: np.ndarray, b: np.ndarray, signature: bytes | None = None) -> bool:
    """Whether two key arrays hold the same values: numbers bit for bit (−0.0 is not 0.0 to a
    plan that carries values, and a missing value matches itself), others element by element.

    ``signature`` is ``a``'s `_signature`, when the caller keeps it: numbers are then one
    byte comparison, and an object array whose elements are the very objects of ``a`` (the
    usual case: a batch's variants take their labels from the same tables) needs no
    element comparison (a Monte Carlo variant compares ≈ 640 label arrays, 158,000 labels:
    3.1 ms element by element, ≈ 0.9 ms this way)."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    kind = a.dtype.kind
    if kind in "biuf":
        return (signature if signature is not None else a.tobytes()) == b.tobytes()
    if signature is not None and signature == _signature(b):
        return True
    return np.array_equal(a, b)


def _signature(a: np.ndarray) -> bytes | None:
    """The bytes that show at a glance that an array equals a stored one: a number array's
    own bytes (equal bytes: equal bit for bit), an object array's element pointers (equal
    pointers: the same objects, for the stored copy holds them alive, so no other object
    can have taken an address; labels are immutable, so the same object is the same value).
    None for other arrays, and for object arrays not laid out in one block."""
    kind = a.dtype.kind
    if kind in "biuf":
        return a.tobytes()
    if kind == "O" and a.ndim and a.flags.c_contiguous:
        return ctypes.string_at(a.__array_interface__["data"][0], a.nbytes)
    return None


def _handed_out(answer: dict[str, Any]) -> dict[str, Any]:
    """A stored answer's frames as copies the caller may change (arrays are read-only)."""
    deep = not copies_on_write()
    return {k: v.copy(deep=deep) if isinstance(v, pd.DataFrame) else v
            for k, v in answer.items()}




def _flatten(inputs: object) -> list[np.ndarray]:
    """The fields of a dataclass as arrays to compare: a frame's column names, then its
    columns (the same for `Keys` of a frame); an array of numbers as it is; a list or
    scalar as an object array."""
    out = []
    for f in dataclasses.fields(inputs):
        v = getattr(inputs, f.name)
        if isinstance(v, pd.DataFrame):
            out.append(np.array(list(v.columns), dtype=object))
            out.extend(column_values(v, c) for c in v.columns)
        elif isinstance(v, Keys):
            out.append(np.array(list(v.columns), dtype=object))
            out.extend(v.values())
        elif isinstance(v, np.ndarray) and v.dtype.kind in "biuf":
            out.append(v)  # compared as it is: numbers bit for bit (`_same_values`)
        else:
            out.append(np.array(v, dtype=object))
    return out


def _assert_same(site: str, kept: dict[str, Any], fresh: dict[str, Any]) -> None:
    from pandas.testing import assert_frame_equal

    if kept.keys() != fresh.keys():
        raise AssertionError(f"memo {site!r}: answers with other parts")
    for k in kept:
        try:
            if isinstance(kept[k], pd.DataFrame):
                assert_frame_equal(kept[k], fresh[k], check_exact=True)
            else:
                np.testing.assert_array_equal(kept[k], fresh[k], strict=True)
        except AssertionError as e:
            raise AssertionError(f"memo {site!r} reused a stale {k!r}: {e}") from None


@dataclass
class VarBlock:
    """One indexed variable with a tidy index frame (a Pyomo ``Var`` unless array mode)."""

    name: str
    index: pd.DataFrame
    var: pyo.Var | None
    data: np.ndarray | None  # VarData objects in index order (None in array mode)
    unit: str
    doc: str
    offset: int  # first column of this block in the builder's column numbering
    lb: np.ndarray = field(repr=False, default=None)
    ub: np.ndarray = field(repr=False, default=None)
    integer: np.ndarray = field(repr=False, default=None)
    _lookup: KeyIndex | None = field(repr=False, default=None)
    _asked: int = field(repr=False, default=0)  # lookups so far: the site of the next one
    _cache: LookupCache | None = field(repr=False, default=None)

    @property
    def dims(self) -> list[str]:
        return list(self.index.columns)

    def __len__(self) -> int:
        return len(self.index)

    def pos(self, keys: pd.DataFrame, on: dict[str, str] | None = None) -> np.ndarray:
        """Positions of the variables named by ``keys``; ``on`` maps a dimension to the
        column of ``keys`` that holds it when the names differ."""
        if self._lookup is None:
            self._lookup = KeyIndex.of(self.index, ("var", self.name), self._cache)
        on = on or {}
        self._asked += 1
        return self._lookup.positions(keys, self.name, [on.get(d, d) for d in self.dims],
                                      ("var", self.name, self._asked), self._cache)

    def labels(self) -> pd.Index:
        """The block's index as a pandas Index (MultiIndex for several dimensions), for
        Series of its values."""
        if self._lookup is None:
            if self._cache is None:  # nothing to share them with: no key index needed
                return _labels_of(self.index)
            self._lookup = KeyIndex.of(self.index, ("var", self.name), self._cache)
        return self._lookup.labels(self.index)

    def digest(self) -> bytes:
        """Row hashes of the block's index (what `peakpath.solve.resolve.structure_key`
        hashes), kept with the key index when a cache shares it between builds."""
        if self._lookup is None and self._cache is None:
            return pd.util.hash_pandas_object(self.index, index=False).to_numpy().tobytes()
        if self._lookup is None:
            self._lookup = KeyIndex.of(self.index, ("var", self.name), self._cache)
        return self._lookup.digest(self.index)

    def terms(self, frame: pd.DataFrame, coef: str | float | np.ndarray = 1.0,
              on: dict[str, str] | None = None) -> Terms:
        """Terms for the variables named by the rows of ``frame``, which also holds the
        row-key columns of the rows they go into (``on`` as in `pos`)."""
        c = frame[coef].to_numpy(float) if isinstance(coef, str) else np.broadcast_to(
            np.asarray(coef, float), (len(frame),)).copy()
        # the keys are read by column name and position only, so the index stays as it is; a
        # shallow copy (copy-on-write) keeps later changes to ``frame`` out of the terms
        return Terms(self, self.pos(frame, on), frame.copy(deep=False), c)


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
    """One indexed constraint with a tidy index frame; ``lb``/``ub`` in ``unit``. ``rows``,
    ``cols`` and ``coefs`` are its nonzeros (row position, builder column, coefficient)."""

    name: str
    index: pd.DataFrame
    con: pyo.Constraint | None
    data: list | None  # ConstraintData in index order (None where a row had no terms)
    lb: np.ndarray
    ub: np.ndarray
    unit: str
    doc: str
    rows: np.ndarray = field(repr=False, default=None)
    cols: np.ndarray = field(repr=False, default=None)
    coefs: np.ndarray = field(repr=False, default=None)

    def __len__(self) -> int:
        return len(self.index)

    @property
    def nonempty(self) -> np.ndarray:
        """Rows that have at least one term (an empty row is a data check, not a row)."""
        mask = np.zeros(len(self.index), dtype=bool)
        mask[self.rows] = True
        return mask


@dataclass
class CostTerms:
    """Undiscounted cost of year ``year[i]``: ``coef[i]`` 万元 per unit of the variable."""

    component: str
    block: VarBlock
    var_pos: np.ndarray
    year: np.ndarray
    coef: np.ndarray


class Builder:
    """Creates named variable and row blocks and remembers them — on a Pyomo ConcreteModel,
    or, with ``model=None``, as arrays only."""

    def __init__(self, model: pyo.ConcreteModel | None, lookups: LookupCache | None = None):
        self.m = model
        self.lookups = lookups  # key lookups of the previous build, to reuse (array mode)
        self.vars: dict[str, VarBlock] = {}
        self.rows: dict[str, RowBlock] = {}
        self.costs: list[CostTerms] = []
        self.n_cols = 0

    @property
    def pyomo(self) -> bool:
        return self.m is not None

    def memo(self, site: str, inputs: object, compute: Callable[[Any], dict[str, Any]]
             ) -> dict[str, Any]:
        """`planned` with the builder's cache."""
        return planned(self.lookups, site, inputs, compute)

    # -- variables --------------------------------------------------------------------------
    def add_var(self, name: str, index: pd.DataFrame, *, lb: float | np.ndarray | None = 0.0,
                ub: float | np.ndarray | None = None, domain: str | np.ndarray = "continuous",
                unit: str = "", doc: str = "") -> VarBlock:
        if name in self.vars:
            raise ValueError(f"variable block {name!r} defined twice")
        index = index.reset_index(drop=True)
        n = len(index)
        lbs = _broadcast(lb, n, -INF)
        ubs = _broadcast(ub, n, INF)
        doms = np.broadcast_to(np.asarray(domain, dtype=object), (n,))
        # one domain for the block: one comparison, not one per column (object arrays)
        integer = np.full(n, domain != "continuous") if isinstance(domain, str) else \
            doms != "continuous"
        var, data = None, None
        if self.pyomo:
            var, data = self._pyomo_var(name, index, lbs, ubs, doms, doc)
        block = VarBlock(name, index, var, data, unit, doc, self.n_cols, lbs, ubs, integer,
                         _cache=self.lookups)
        self.n_cols += n
        self.vars[name] = block
        return block

    def _pyomo_var(self, name, index, lbs, ubs, doms, doc):
        pyo = pyomo_setup.pyo()
        domains = {"integer": pyo.Integers, "binary": pyo.Binary}
        keys = _keys(index)
        iset = pyo.Set(initialize=keys, dimen=index.shape[1], ordered=True)
        self.m.add_component(f"{name}_index", iset)
        var = pyo.Var(iset, doc=doc)
        self.m.add_component(name, var)
        data = np.fromiter(var.values(), dtype=object, count=len(keys))  # in ``keys`` order
        # a new VarData is continuous and unbounded: only what differs is set
        for vd, lo, hi, dom in zip(data, lbs.tolist(), ubs.tolist(), doms, strict=True):
            if dom != "continuous":
                vd.domain = domains[dom]
            if lo != -INF:
                vd.setlb(lo)
            if hi != INF:
                vd.setub(hi)
        return var, data

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
        lookup = KeyIndex.of(index, ("rows", name), self.lookups)
        dims = lookup.dims
        terms = [t for t in terms if len(t.coef)]
        r = np.concatenate([lookup.positions(t.keys, f"{name} rows", dims, ("rows", name, k),
                                             self.lookups)
                            for k, t in enumerate(terms)] or [np.empty(0, dtype=np.int64)])
        c = np.concatenate([t.block.offset + t.var_pos for t in terms]
                           or [np.empty(0, dtype=np.int64)])
        v = np.concatenate([t.coef for t in terms] or [np.empty(0)])
        # zeros and round-off residues (a difference of two equal shares leaves ±3.5e-18) are
        # dropped: a residue would change the sparsity pattern, so variants that differ only in
        # numbers would look like new structures to the in-place re-solve (449 of 500 Monte
        # Carlo draws were rebuilt for this). The smallest real coefficient here is ≈ 3e-4.
        tiny = ROUNDOFF * max(1.0, float(np.abs(v).max())) if v.size else 0.0
        keep = np.flatnonzero(np.abs(v) > tiny)
        order = keep[np.argsort(r[keep], kind="stable")]  # terms grouped by row, zeros dropped
        r, c, v = r[order], c[order], v[order]
        con, data = None, None
        if self.pyomo:
            vd = np.concatenate([t.block.data[t.var_pos] for t in terms]
                                or [np.empty(0, dtype=object)])[order]
            con, data = self._pyomo_rows(name, index, r, vd, v, lbs, ubs, doc)
        block = RowBlock(name, index, con, data, lbs, ubs, unit, doc, r, c, v)
        self.rows[name] = block
        return block

    def _pyomo_rows(self, name, index, r, vd, c, lbs, ubs, doc):
        """Pyomo rows from terms sorted by row: ``r`` row, ``vd`` VarData, ``c`` coefficient."""
        pyo = pyomo_setup.pyo()
        bounds = np.searchsorted(r, np.arange(len(index) + 1))
        keys = _keys(index)
        exprs: dict = {}
        lb_list, ub_list = lbs.tolist(), ubs.tolist()
        for i, k in enumerate(keys):
            a, b = bounds[i], bounds[i + 1]
            lo, hi = lb_list[i], ub_list[i]
            if a == b or (lo == -INF and hi == INF):
                # a row without variables is a data check, not a constraint; a row without
                # bounds constrains nothing (and Pyomo refuses to make one)
                continue
            body = pyomo_setup.linear_expression(c[a:b].tolist(), vd[a:b].tolist())
            exprs[k] = (None if lo == -INF else lo, body, None if hi == INF else hi)
        iset = pyo.Set(initialize=list(exprs), dimen=index.shape[1], ordered=True)
        self.m.add_component(f"{name}_index", iset)
        con = pyo.Constraint(iset, rule=lambda _m, *k: exprs[k if len(k) > 1 else k[0]],
                             doc=doc)
        self.m.add_component(name, con)
        if len(con) != len(exprs):  # every row has terms and a bound: Pyomo skips none
            raise RuntimeError(f"{name}: Pyomo made {len(con)} of {len(exprs)} rows")
        made = iter(con.values())  # in the order of ``exprs``, which follows ``keys``
        return con, [next(made) if k in exprs else None for k in keys]

    # -- costs ---------------------------------------------------------------------------------
    def add_cost(self, component: str, block: VarBlock, frame: pd.DataFrame,
                 coef: str = "coef", year: str = "year") -> None:
        """Register undiscounted costs: ``frame[coef]`` 万元 in year ``frame[year]`` per unit of
        the variable named by ``frame``'s dimension columns."""
        if frame.empty:
            return
        self.add_cost_at(component, block, block.pos(frame), frame[year].to_numpy(int),
                         frame[coef].to_numpy(float))

    def add_cost_at(self, component: str, block: VarBlock, var_pos: np.ndarray,
                    year: np.ndarray, coef: np.ndarray) -> None:
        """`add_cost` for terms already located: ``coef[i]`` 万元 in ``year[i]`` per unit of
        ``block[var_pos[i]]``."""
        if len(var_pos):
            self.costs.append(CostTerms(component, block, np.asarray(var_pos, dtype=np.int64),
                                        np.asarray(year, dtype=int),
                                        np.asarray(coef, dtype=float)))


#: coefficients at or below this share of a row block's largest one are floating-point residue
ROUNDOFF = 1e-12


def _keys(index: pd.DataFrame) -> list:
    """Pyomo index keys of ``index``'s rows: scalars for one column, else tuples (columns are
    converted whole: iterating a pandas string column goes element by element, ≈ 12× slower)."""
    cols = [index[c].tolist() for c in index.columns]
    if len(cols) == 1:
        return cols[0]
    return list(zip(*cols, strict=True))


def _broadcast(x: float | np.ndarray | None, n: int, none_value: float) -> np.ndarray:
    if x is None:
        return np.full(n, none_value)
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if len(arr) != n:
        raise ValueError(f"bound array of length {len(arr)} for {n} entries")
    return np.where(np.isnan(arr), none_value, arr)
