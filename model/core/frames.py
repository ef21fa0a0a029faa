"""Joins of small tidy frames at NumPy speed, with pandas' exact result.

`merge` is ``pandas.merge`` for the joins the model makes: ``inner``, ``left`` and ``cross`` on
key columns, with optional suffixes. Its answer is the frame pandas returns, value for value,
dtype for dtype and in the same row order:

- rows follow the left frame; the matches of one left row follow the right frame's order;
- an unmatched left row (``how="left"``) gets missing values in the right frame's columns;
- columns are the left frame's, then the right frame's other than the keys; a name in both
  frames gets the suffixes (``_x``, ``_y`` unless given).

Why: pandas spends ≈ 0.6 ms on a merge however small the frames (validation, key coercion,
block management), and a batch variant made 85 merges of frames of 3–1,500 rows (measured:
56 ms a variant, more than a HiGHS solve of it). Here the keys are coded with
``pandas.factorize`` over both frames together, matched through a stable sort of the right
frame's codes, and the columns are gathered with ``take``.

Whatever the fast path does not cover (keys of different dtypes in the two frames, columns of
other dtypes than NumPy numbers, booleans and text, missing values a left join would have to
upcast, names that would collide) goes to ``pandas.merge`` itself, so the answer is pandas'
in every case."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

_FAST_HOWS = ("inner", "left", "cross")


def merge(left: pd.DataFrame, right: pd.DataFrame, *, on: str | Sequence[str] | None = None,
          how: str = "inner", suffixes: tuple[str, str] = ("_x", "_y")) -> pd.DataFrame:
    """``pandas.merge(left, right, on=on, how=how, suffixes=suffixes)``, the same frame."""
    keys = [] if on is None else [on] if isinstance(on, str) else list(on)
    # pandas decides itself: keys it infers (no ``on``), keys given to a cross join (an
    # error), suffixes that are not text (None: no suffix)
    covered = (how in _FAST_HOWS and (how == "cross") == (not keys)
               and all(isinstance(x, str) for x in suffixes))
    names = _result_names(left, right, keys, suffixes) if covered else None
    if names is None or not _fast_dtypes(_dtypes(left), _dtypes(right), keys):
        return _pandas_merge(left, right, on, how, suffixes)
    if how == "cross":
        li = np.repeat(np.arange(len(left)), len(right))
        ri = np.tile(np.arange(len(right)), len(left))
    else:
        li, ri = _join_indexers(left, right, keys, how)
        if how == "left" and (ri < 0).any() and not _fill_keeps_dtypes(right, keys):
            return _pandas_merge(left, right, on, how, suffixes)
    rest = [i for i, c in enumerate(right.columns) if c not in keys]
    # one frame from the gathered columns: inserting them one by one into a taken frame cost
    # twice as much; the labels come out as pandas makes them (inferred dtype, no name)
    out = {name: _take(left._get_column_array(i), li) for i, name in enumerate(names[0])}
    out |= {name: _take(right._get_column_array(i), ri)
            for i, name in zip(rest, names[1], strict=True)}
    return pd.DataFrame(out, copy=False)


def column_values(frame: pd.DataFrame, name: str) -> np.ndarray:
    """``frame[name].to_numpy()`` (read-only), without making the Series: pandas 3 builds one
    on every ``frame[name]`` (≈ 20 µs), and a batch variant reads ≈ 700 key columns to compare
    them with the previous build's (`peakpath.core.algebra.LookupCache`) and to join. A name
    held by more than one column goes through pandas."""
    loc = frame.columns.get_loc(name)
    if not isinstance(loc, int):
        return frame[name].to_numpy()
    values = frame._get_column_array(loc)  # the block's values, or the extension array
    # a read-only view: the text array's values may be the frame's own, which stay writable
    out = (values if isinstance(values, np.ndarray) else values.to_numpy()).view()
    out.flags.writeable = False
    return out


def planned(lookups, site: str, inputs: object, compute: Callable[[Any], dict[str, Any]]
            ) -> dict[str, Any]:
    """``compute(inputs)``, reused from the previous build of a batch when ``inputs`` are
    equal (``lookups``: a `peakpath.core.algebra.LookupCache`, see its ``memo``); computed
    every time without one. Fields given as `Keys` reach ``compute`` as the frames they name.
    Here rather than beside the cache, so that derive and the results can plan without
    importing Pyomo."""
    return (compute(selected(inputs)) if lookups is None
            else lookups.memo(site, inputs, compute))


@dataclasses.dataclass(frozen=True)
class Keys:
    """Columns of a frame as a plan's input, without making the frame of them: a batch
    compares the columns with the previous build's (`planned`) and only when they differ is
    ``frame[columns]`` made, for the plan to be computed again. Selecting columns costs
    pandas ≈ 0.2 ms a frame, and a Monte Carlo variant's plans read ≈ 40 such frames."""

    frame: pd.DataFrame
    columns: tuple[str, ...]

    def values(self) -> list[np.ndarray]:
        """Each column's values (read-only, `column_values`)."""
        return [column_values(self.frame, c) for c in self.columns]

    def selected(self) -> pd.DataFrame:
        return self.frame[list(self.columns)]


def key_cols(frame: pd.DataFrame, columns: Sequence[str]) -> Keys:
    """``frame[columns]`` as a plan's input (`Keys`); a missing column fails here, as the
    selection would."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{missing} not in the frame's columns {list(frame.columns)}")
    return Keys(frame, tuple(columns))


def selected(inputs: Any) -> Any:
    """A plan's inputs (a dataclass) with each `Keys` field replaced by its frame."""
    swap = {f.name: v.selected() for f in dataclasses.fields(inputs)
            if isinstance(v := getattr(inputs, f.name), Keys)}
    return dataclasses.replace(inputs, **swap) if swap else inputs


def lookup_join(lookups, site: str, left: pd.DataFrame, right: pd.DataFrame, on: list[str],
                take: list[str]) -> pd.DataFrame:
    """``merge(left, right[on + take], on=on)``: ``left`` with the ``take`` columns of the
    row of ``right`` each of its rows matches, when each matches exactly one (a lookup, such
    as a sector's group), the rows stay as they are and no name collides; which row that is
    is planned once per structure (``lookups``: a batch's cache, see `planned`). Otherwise
    the merge itself. One column added to a frame costs ≈ 0.1 ms where the merge that
    gathers every column of the left frame again cost ≈ 0.5 ms."""
    plan = planned(lookups, site, JoinInputs(key_cols(left, on), key_cols(right, on),
                                             list(left.columns), list(take)), lookup_rows)
    index = left.index
    if not plan["lookup"][0] or not (isinstance(index, pd.RangeIndex) and index.start == 0
                                     and index.step == 1):
        return merge(left, right[[*on, *take]], on=on)
    rows = plan["right_row"]
    return left.assign(**{c: _take(right._get_column_array(right.columns.get_loc(c)), rows)
                          for c in take})


@dataclasses.dataclass(frozen=True)
class JoinInputs:
    left: pd.DataFrame  # the key columns of the left frame, in row order
    right: pd.DataFrame  # the key columns of the right frame, in row order
    left_columns: list[str]
    take: list[str]


def lookup_rows(k: JoinInputs) -> dict[str, np.ndarray]:
    """Whether the join of `lookup_join` is a lookup (``lookup``) and, if so, the right row
    each left row reads (``right_row``)."""
    on = list(k.left.columns)
    m = merge(numbered(k.left, "_left_row"), numbered(k.right, "_right_row"), on=on)
    lookup = (len(m) == len(k.left) and bool((m["_left_row"].to_numpy()
                                               == np.arange(len(m))).all())
              and not set(k.take) & (set(k.left_columns) | set(on))
              and len(set(k.take)) == len(k.take))
    return {"lookup": np.array([lookup]), "right_row": m["_right_row"].to_numpy()}


def numbered(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """``frame`` with ``column`` = each row's position (0, 1, ...): carried through joins
    planned once per structure, it says which row of the frame each result row reads its
    numbers from."""
    return frame.assign(**{column: np.arange(len(frame))})


def _pandas_merge(left: pd.DataFrame, right: pd.DataFrame, on: str | Sequence[str] | None,
                  how: str, suffixes: tuple[str, str]) -> pd.DataFrame:
    return pd.merge(left, right, on=on, how=how, suffixes=suffixes)


def _result_names(left: pd.DataFrame, right: pd.DataFrame, keys: list[str],
                  suffixes: tuple[str, str]) -> tuple[list[str], list[str]] | None:
    """The result's column names from the left and the right frame, or None where pandas
    would have to decide (duplicate or non-text names, keys missing, a collision)."""
    lcols, rcols = list(left.columns), list(right.columns)
    if not all(isinstance(c, str) for c in lcols + rcols):
        return None
    if len(set(lcols)) != len(lcols) or len(set(rcols)) != len(rcols):
        return None
    if any(k not in lcols or k not in rcols for k in keys):
        return None
    rest = [c for c in rcols if c not in keys]
    both = set(lcols) & set(rest)
    lnames = [c + suffixes[0] if c in both else c for c in lcols]
    rnames = [c + suffixes[1] if c in both else c for c in rest]
    if len(set(lnames + rnames)) != len(lnames) + len(rnames):
        return None
    return lnames, rnames


def _dtypes(frame: pd.DataFrame) -> dict[str, object]:
    """Column name -> dtype (``frame.dtypes`` builds a Series: ten times slower)."""
    return dict(zip(frame.columns, frame._mgr.get_dtypes(), strict=True))


def _fast_kind(dtype: object) -> bool:
    if isinstance(dtype, pd.StringDtype):
        return dtype.storage == "python"
    return isinstance(dtype, np.dtype) and dtype.kind in "biuf"


def _fast_dtypes(left: dict[str, object], right: dict[str, object], keys: list[str]) -> bool:
    """Whether every column (name -> dtype) has a dtype the fast path handles, and each key
    the same dtype in both frames (pandas coerces others to a common one: left to it)."""
    if not all(_fast_kind(d) for d in (*left.values(), *right.values())):
        return False
    return all(left[k] == right[k] for k in keys)


def _fill_keeps_dtypes(right: pd.DataFrame, keys: list[str]) -> bool:
    """Whether a missing value fits every right column as it is (float and text do; pandas
    upcasts integers to float and booleans to object)."""
    return all(isinstance(d, pd.StringDtype) or d.kind == "f"
               for c, d in right.dtypes.items() if c not in keys)


def _join_indexers(left: pd.DataFrame, right: pd.DataFrame, keys: list[str], how: str
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Row positions in ``left`` and ``right`` of each result row (-1: no right match)."""
    nl = len(left)
    lcode, rcode = _codes(left, right, keys)
    order = np.argsort(rcode, kind="stable")
    sorted_codes = rcode[order]
    lo = np.searchsorted(sorted_codes, lcode, side="left")
    hi = np.searchsorted(sorted_codes, lcode, side="right")
    count = hi - lo
    if how == "left":
        unmatched = count == 0
        count = np.where(unmatched, 1, count)
    li = np.repeat(np.arange(nl), count)
    start = np.repeat(lo, count)
    offset = np.arange(len(li)) - np.repeat(np.cumsum(count) - count, count)
    ri = order[np.minimum(start + offset, len(order) - 1)] if len(order) else np.full(
        len(li), -1)
    if how == "left":
        ri = np.where(np.repeat(unmatched, count), -1, ri)
    return li, ri


def _codes(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]
           ) -> tuple[np.ndarray, np.ndarray]:
    """One int64 code per row of each frame, equal where all key values are equal (missing
    values match each other, as in pandas)."""
    nl = len(left)
    total = np.zeros(nl + len(right), dtype=np.int64)
    for k in keys:
        both = np.concatenate([column_values(left, k), column_values(right, k)])
        codes, uniques = pd.factorize(both, use_na_sentinel=False)
        total = total * max(len(uniques), 1) + codes
        if len(keys) > 2:  # keep the combined code small: renumber it
            total = pd.factorize(total)[0].astype(np.int64)
    return total[:nl], total[nl:]


def _take(values: np.ndarray | pd.api.extensions.ExtensionArray, idx: np.ndarray) -> object:
    """``values`` (a column's NumPy or text array) at ``idx`` (-1: missing)."""
    if isinstance(values, np.ndarray):
        out = values.take(np.maximum(idx, 0)) if len(values) else np.empty(len(idx),
                                                                           values.dtype)
        if (idx < 0).any():  # float only (`_fill_keeps_dtypes`)
            out[idx < 0] = np.nan
        return out
    return values.take(idx, allow_fill=True)


def group_sums(value: np.ndarray, groups: np.ndarray, sort: bool = False) -> np.ndarray:
    """Sum of ``value`` by group, in the order of the group numbers, with the bits pandas'
    groupby gives the frame the plan was made from. ``groups`` must number the rows as that
    groupby does (0, 1, ... each used): in order of first appearance for ``groupby(...,
    sort=False)``, by sorted key for a sorted groupby (`sorted_groups`, with ``sort=True``).

    pandas adds float64 values in one of two ways, picked from those numbers: with
    ``np.add.reduceat`` when they run in order and no value is missing (pandas ≥ 3.1: a group
    of one −0.0 stays −0.0), else with a compensated (Kahan) loop over the rows, skipping
    missing values::

        y = v − c[g];  t = s[g] + y;  c[g] = (t − s[g]) − y  (0 where that is NaN);  s[g] = t

    Both are done here the same way: ``reduceat``, and the loop with NumPy one round per
    position within a group for groups of at most `KAHAN_ROUNDS` rows (a batch variant's
    sums are mostly of one to five rows, where pandas' own groupby costs ≈ 0.2 ms a call), or
    pandas' own kernel for larger ones (`_kernel_sums`); other dtypes and numberings go to
    pandas' groupby."""
    value = np.asarray(value)
    if value.dtype == np.float64 and groups.dtype.kind in "iu" and len(groups) and (
            sort or _first_appearance(groups)):
        ordered = bool((groups[1:] >= groups[:-1]).all())
        missing = np.isnan(value)
        if ordered and _PANDAS_REDUCEAT and not missing.any():
            starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
            return np.add.reduceat(value, starts)
        out = _kahan_sums(value, groups, missing)
        if out is None:
            out = _kernel_sums(value, groups)
        if out is not None:
            return out
    return pd.Series(value, copy=False).groupby(groups, sort=sort).sum().to_numpy()


def _kernel_sums(value: np.ndarray, groups: np.ndarray) -> np.ndarray | None:
    """pandas' own compensated group sum (the Cython kernel its groupby calls), for groups
    numbered 0 … n−1 every one of which is used; None where that kernel is not there as
    expected (another pandas) or disagrees with pandas' groupby on a probe, so that the
    groupby itself adds. Skips pandas' factorising and bookkeeping around it (≈ 0.2 ms)."""
    if groups.min() < 0:
        return None
    n = int(groups.max()) + 1
    if _KERNEL["ok"] is None:
        _KERNEL["ok"] = _kernel_agrees()
    if not _KERNEL["ok"] or np.bincount(groups, minlength=n).min() == 0:
        return None
    return _call_kernel(value, groups, n)


def _call_kernel(value: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    from pandas._libs import groupby as kernels

    out = np.empty((n, 1))
    kernels.group_sum(out=out, counts=np.zeros(n, dtype=np.int64),
                      values=np.ascontiguousarray(value).reshape(-1, 1),
                      labels=groups.astype(np.intp, copy=False), mask=None,
                      result_mask=None, min_count=0, is_datetimelike=False)
    return out[:, 0]


_KERNEL: dict[str, bool | None] = {"ok": None}


def _kernel_agrees() -> bool:
    """Whether pandas' kernel, called as `_call_kernel` calls it, gives its groupby's bits on
    a probe of cancelling values, −0.0, infinities and missing values in unordered groups."""
    rng = np.random.default_rng(0)
    value = rng.normal(scale=10.0 ** rng.integers(-3, 16, 400), size=400)
    value[::17], value[5::23], value[9] = -0.0, np.nan, np.inf
    groups = pd.factorize(rng.integers(0, 7, 400))[0]
    try:
        got = _call_kernel(value, groups, int(groups.max()) + 1)
    except (ImportError, AttributeError, TypeError, ValueError):
        return False
    want = pd.Series(value).groupby(groups, sort=False).sum().to_numpy()
    return got.dtype == want.dtype and got.tobytes() == want.tobytes()


def _first_appearance(groups: np.ndarray) -> bool:
    """Whether ``groups`` number the rows' groups in order of first appearance (0 first, then
    each new group one more than the largest so far), as an unsorted groupby numbers them."""
    seen = np.maximum.accumulate(groups)
    return bool(groups[0] == 0 and (groups[1:] <= seen[:-1] + 1).all())


#: the most rows a group may have for `group_sums` to run pandas' compensated loop itself
KAHAN_ROUNDS = 16

#: whether pandas adds in-order groups with ``np.add.reduceat`` (pandas ≥ 3.1)
_PANDAS_REDUCEAT = hasattr(getattr(getattr(pd.core.groupby, "ops", None), "BaseGrouper",
                                   None), "_reduceat_aggregate")


def _kahan_sums(value: np.ndarray, groups: np.ndarray, missing: np.ndarray
                ) -> np.ndarray | None:
    """pandas' compensated group sum (``group_sum`` of its groupby kernels), round k adding
    the k-th row of every group that has one; None when a group has more than
    `KAHAN_ROUNDS` rows."""
    order = np.argsort(groups, kind="stable")  # each group's rows, in row order
    g = groups[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    counts = np.diff(np.r_[starts, len(g)])
    if counts.max() > KAHAN_ROUNDS or g[-1] + 1 != len(starts):
        return None
    v, skip = value[order], missing[order]
    total = np.zeros(len(starts))
    comp = np.zeros(len(starts))
    for k in range(int(counts.max())):
        lab = np.flatnonzero(counts > k)
        at = starts[lab] + k
        keep = ~skip[at]
        lab, at = lab[keep], at[keep]
        with np.errstate(invalid="ignore"):  # inf − inf: NaN, as in pandas' loop
            y = v[at] - comp[lab]
            t = total[lab] + y
            c = (t - total[lab]) - y
        comp[lab] = np.where(np.isnan(c), 0.0, c)  # an infinite value: no compensation
        total[lab] = t
    return total


def take_or_zero(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """``values[pos]`` with 0 where ``pos`` is −1 (no such key) or the value is missing: what
    ``reindex(...).fillna(0.0)`` gives, read through positions planned once per structure."""
    if len(values) == 0:
        return np.zeros(len(pos))
    out = np.where(pos >= 0, values[pos], 0.0)
    return np.where(np.isnan(out), 0.0, out)


def sums_at(value: np.ndarray, groups: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """The sorted `group_sums` of ``value`` read at the groups ``pos`` (−1 or a missing sum:
    0): a frame's ``groupby(key).sum().reindex(wanted).fillna(0.0)`` with ``groups`` the
    rows' sorted key numbers (``pandas.factorize(key, sort=True)``) and ``pos`` each wanted
    key's number."""
    return take_or_zero(group_sums(value, groups, sort=True), pos)


def sorted_groups(frame: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """How ``frame.groupby(cols, as_index=False).sum()`` adds up the rows, planned once: each
    row's group numbered by sorted key, as that groupby numbers it (``group_sums(v, groups,
    sort=True)`` are its sums), and the groups' keys as it gives them."""
    groups = frame.groupby(cols, sort=True).ngroup().to_numpy()
    keys = frame[cols].assign(_n=0).groupby(cols, as_index=False).sum()[cols]
    return groups, keys
