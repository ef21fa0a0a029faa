"""`peakpath.core.frames.merge` returns the frame ``pandas.merge`` returns: values, dtypes,
column names and row order, on random frames and on every merge the shipped scenarios make."""

import sys

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import peakpath.core.frames as frames
from peakpath.core.baseline import derive
from peakpath.core.build import build_model
from peakpath.core.levels import with_levels
from peakpath.io.inputs import apply_overrides
from peakpath.pandas_setup import STRING_STORAGE
from tests.conftest import shipped


def expect_same(left, right, **kw):
    want = pd.merge(left, right, **kw)
    got = frames.merge(left, right, **kw)
    assert_frame_equal(got, want, check_exact=True)
    return got


#: text columns as the model's frames hold them (the dtype pandas infers under
#: `peakpath.pandas_setup`), and pandas' other text dtype with pd.NA as its missing value
TEXT_DTYPES = {"inferred": pd.Series(["a"]).dtype,
               "pd.NA": pd.StringDtype(STRING_STORAGE)}
TEXT = TEXT_DTYPES["inferred"]


def text(values, dtype=None):
    return pd.array(values, dtype=dtype or TEXT)


def random_pair(rng, n_left, n_right, dtype):
    """Two frames sharing keys `k1` (text, with a missing value) and `k2` (int), both with
    repeated keys, and a value column named alike in both."""
    words = ["a", "b", "c", "d", np.nan]
    left = pd.DataFrame({"k1": text(rng.choice(words, n_left).tolist(), dtype),
                         "k2": rng.integers(0, 4, n_left),
                         "v": rng.normal(size=n_left),
                         "flag": rng.integers(0, 2, n_left).astype(bool)})
    right = pd.DataFrame({"k2": rng.integers(0, 5, n_right),
                          "v": rng.normal(size=n_right),
                          "k1": text(rng.choice(words, n_right).tolist(), dtype),
                          "w": text(rng.choice(["x", "y"], n_right).tolist(), dtype)})
    return left, right


@pytest.mark.parametrize("dtype", TEXT_DTYPES)
@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("how", ["inner", "left"])
def test_random_joins_match_pandas(seed, how, dtype):
    rng = np.random.default_rng(seed)
    left, right = random_pair(rng, int(rng.integers(0, 40)), int(rng.integers(0, 40)),
                              TEXT_DTYPES[dtype])
    for on in (["k1", "k2"], ["k2", "k1"], "k1", ["k2"]):
        expect_same(left, right, on=on, how=how)
        expect_same(left, right, on=on, how=how, suffixes=("", "_r"))


def test_duplicate_keys_on_both_sides_give_every_pair_in_pandas_order():
    left = pd.DataFrame({"k": text(["b", "a", "b"]), "i": [0, 1, 2]})
    right = pd.DataFrame({"k": text(["b", "b", "a", "c"]), "j": [10, 11, 12, 13]})
    got = expect_same(left, right, on="k")
    assert got["i"].tolist() == [0, 0, 1, 2, 2]
    assert got["j"].tolist() == [10, 11, 12, 10, 11]


def test_a_missing_key_matches_a_missing_key():
    left = pd.DataFrame({"k": text(["a", np.nan]), "i": [0, 1]})
    right = pd.DataFrame({"k": text([np.nan, "a"]), "j": [5.0, 6.0]})
    assert expect_same(left, right, on="k", how="left")["j"].tolist() == [6.0, 5.0]


def test_cross_join_and_empty_frames():
    a = pd.DataFrame({"x": text(["p", "q"]), "v": [1.0, 2.0]})
    b = pd.DataFrame({"year": [2020, 2021, 2022]})
    assert len(expect_same(a, b, how="cross")) == 6
    expect_same(a.iloc[:0], b, how="cross")
    expect_same(a, a.iloc[:0], on="x")
    expect_same(a, a.iloc[:0], on="x", how="left")


def test_unmatched_left_rows_upcast_as_pandas_does():
    """Integer and boolean right columns need pandas' upcast when a left row is unmatched: the
    fast path hands those to pandas, and the answer is the same."""
    left = pd.DataFrame({"k": [1, 2, 3]})
    right = pd.DataFrame({"k": [1, 3], "n": [7, 8], "b": [True, False],
                          "s": text(["u", "v"])})
    got = expect_same(left, right, on="k", how="left")
    assert got["n"].dtype == np.float64


def test_what_pandas_decides_is_left_to_pandas():
    """Keys pandas infers (no ``on``), keys given to a cross join, a suffix of None, and the
    labels of the result's columns (their dtype and name) are pandas' own."""
    a = pd.DataFrame({"k": [1, 2, 3], "x": [1.0, 2.0, 3.0]})
    b = pd.DataFrame({"k": [2, 3, 4], "y": [5.0, 6.0, 7.0]})
    assert len(expect_same(a, b)) == 2
    with pytest.raises(pd.errors.MergeError):
        frames.merge(a, b, on="k", how="cross")
    expect_same(a.assign(y=1.0), b, on="k", suffixes=(None, "_r"))
    # a right column that takes the left one's own name once that one is suffixed
    got = expect_same(a.assign(y=1.0), b, on="k", suffixes=("_l", ""))
    assert got["y"].tolist() == [5.0, 6.0] and got["y_l"].tolist() == [1.0, 1.0]
    named = a.copy()
    named.columns = pd.Index(["k", "x"], dtype=object, name="cols")
    expect_same(named, b, on="k")


def test_keys_of_different_dtypes_are_left_to_pandas():
    left = pd.DataFrame({"k": [1, 2], "a": [0.5, 1.5]})
    right = pd.DataFrame({"k": [1.0, 2.0], "b": [3.0, 4.0]})
    expect_same(left, right, on="k")


@pytest.mark.parametrize("name,elastic,settings", [
    ("wuhan-peak-2030", False, {}),
    ("wuhan-peak-2022", True, {}),
    ("wuhan-stretch", False, {"districts": True}),
])
def test_every_merge_of_a_shipped_build_matches_pandas(wuhan, monkeypatch, name, elastic,
                                                        settings):
    """Derive and build a shipped scenario (array mode) with each merge checked against
    pandas, so that a join the model makes and the tests above do not cover is caught."""
    checked = []
    fast = frames.merge
    users = _modules_using_merge()

    def checking(left, right, **kw):
        got = fast(left, right, **kw)
        assert_frame_equal(got, pd.merge(left, right, **kw), check_exact=True)
        checked.append(kw.get("how", "inner"))
        return got

    for module in users:
        monkeypatch.setattr(module, "merge", checking)
    sc = shipped(name).with_settings(settings) if settings else shipped(name)
    data = apply_overrides(wuhan, sc)
    sc = with_levels(data, sc)
    build_model(derive(data, sc), elastic=elastic, pyomo=False)
    assert len(checked) > 60
    assert {"inner", "left", "cross"} <= set(checked)


def _modules_using_merge() -> list:
    return [m for n, m in list(sys.modules.items())
            if n.startswith("peakpath.") and m is not frames
            and getattr(m, "merge", None) is frames.merge]


@pytest.mark.parametrize("seed", range(6))
def test_group_sums_have_the_bits_of_a_frame_groupby(seed):
    """`frames.group_sums` (a sum planned once per structure) gives the bits pandas' groupby
    gives on the frame: groups of one, two and many values in any order, -0.0 and missing
    values included."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    keys = pd.DataFrame({"a": text(rng.choice(["x", "y", "z"], n).tolist()),
                         "b": rng.integers(0, 3 if seed % 2 else 60, n)})
    value = rng.normal(scale=10.0 ** rng.integers(-3, 12, n), size=n)
    value[rng.random(n) < 0.2] = -0.0
    value[rng.random(n) < 0.1] = np.nan
    want = keys.assign(v=value).groupby(["a", "b"], sort=False)["v"].sum().to_numpy()
    groups = keys.groupby(["a", "b"], sort=False).ngroup().to_numpy()
    got = frames.group_sums(value, groups)
    assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("seed", range(40))
def test_group_sums_are_pandas_sums_bit_for_bit(seed):
    """`frames.group_sums` adds as pandas' groupby does, whichever way pandas picks: groups
    in and out of order, of one to many rows (the compensated loop run here, or pandas' own
    beyond `frames.KAHAN_ROUNDS` rows), values that cancel (where the compensation shows),
    −0.0, infinities and missing values."""
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(1, 400))
    ngroups = int(rng.integers(1, n + 1)) if seed % 4 else max(1, n // 30)
    groups = rng.integers(0, ngroups, n)
    if seed % 3 == 0:
        groups = np.sort(groups)  # in order: pandas ≥ 3.1 adds these with reduceat
    sort = bool(seed % 2)
    groups = pd.factorize(groups, sort=sort)[0]  # numbered as that groupby numbers them
    scale = 10.0 ** rng.integers(-3, 16, n)
    value = rng.normal(scale=scale, size=n)
    value[rng.random(n) < 0.1] = -0.0
    if seed % 5 == 1:
        value[rng.random(n) < 0.1] = np.nan
    if seed % 7 == 2:
        value[rng.integers(0, n)] = np.inf
    want = pd.Series(value).groupby(groups, sort=sort).sum().to_numpy()
    got = frames.group_sums(value, groups, sort)
    assert got.dtype == want.dtype and got.tobytes() == want.tobytes()


def test_group_sums_of_single_values_are_pandas_sums():
    """Groups of one value, with and without a missing value, in and out of order: pandas
    3.1 adds numbers whose groups run in order with ``np.add.reduceat`` (−0.0 stays −0.0)
    and others with its compensated loop (−0.0 becomes 0.0); the planned sum follows."""
    for value, groups in ((np.array([1.5, np.nan, -0.0]), np.arange(3)),
                          (np.array([1.5, 2.0, -0.0]), np.arange(3)),
                          (np.array([1.5, 2.0, -0.0]), np.array([0, 1, 2])[::-1].copy())):
        for sort in (False, True):
            want = pd.Series(value).groupby(groups, sort=sort).sum().to_numpy()
            assert frames.group_sums(value, groups, sort).tobytes() == want.tobytes()


def test_column_values_are_the_columns_numpy_values_read_only():
    """`frames.column_values` gives ``frame[name].to_numpy()`` for every dtype a frame may
    hold (text with missing values, numbers, booleans, categories, dates), after the frame's
    blocks were consolidated or split; a duplicated name goes through pandas; the values
    cannot be written through (they are the frame's own)."""
    f = pd.DataFrame({"i": [1, 2, 3], "f": [0.5, np.nan, -0.0], "b": [True, False, True],
                      "s": pd.Series(["a", None, "c"], dtype=TEXT_DTYPES["inferred"]),
                      "na": pd.Series(["a", None, "c"], dtype=TEXT_DTYPES["pd.NA"]),
                      "o": np.array(["x", 1, None], dtype=object),
                      "c": pd.Categorical(["p", "q", "p"]),
                      "d": pd.to_datetime(["2020-01-01", "2021-01-01", None])})
    f["g"] = f["f"] * 2  # a second float block
    for frame in (f, f.copy(), f[["g", "s", "i", "f"]], f.iloc[[2, 0]]):
        for name in frame.columns:
            got, want = frames.column_values(frame, name), frame[name].to_numpy()
            assert got.dtype == want.dtype and got.shape == want.shape, name
            missing = pd.isna(want)
            assert (pd.isna(got) == missing).all(), name
            np.testing.assert_array_equal(got[~missing], want[~missing], strict=True)
            assert not got.flags.writeable, name
    for frame in (f, f.copy()):  # the frame's own values stay writable
        frames.column_values(frame, "s")
        frames.column_values(frame, "f")
        frame.loc[0, "s"] = "z"
        frame.loc[0, "f"] = 1.0
        assert frame.loc[0, "s"] == "z" and frame.loc[0, "f"] == 1.0
    dup = pd.DataFrame([[1, 2]], columns=["k", "k"])
    np.testing.assert_array_equal(frames.column_values(dup, "k"), dup["k"].to_numpy())
    with pytest.raises(KeyError):
        frames.column_values(f, "absent")


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("layout", ["random", "in order", "out of order", "single"])
def test_sorted_groups_give_a_frame_groupby_sum_bit_for_bit(seed, layout):
    """`frames.sorted_groups` with `group_sums`: the sorted sums and keys of
    ``groupby(cols, as_index=False).sum()``, bit for bit, for keys in any order, in sorted
    order (where pandas 3.1 adds without compensation) and reversed, with missing values and
    −0.0, and for groups of one value (the review's counterexample: six values a key, keys
    in reverse order on the frame, summed in sorted order)."""
    rng = np.random.default_rng(seed)
    n = 300 if layout != "single" else 30
    a = rng.choice(["x", "y", "z", "w"], n)
    b = rng.integers(0, 9, n)
    if layout == "in order":
        a, b = np.sort(a), np.sort(b)
    elif layout == "out of order":
        a = np.sort(a)[::-1]
    elif layout == "single":
        a, b = np.array([f"k{i:02d}" for i in range(n)]), np.zeros(n, dtype=int)
    v = rng.normal(size=n) * 10.0 ** rng.integers(-8, 8, n)
    v[rng.choice(n, 5)] = -0.0
    if seed % 2:
        v[rng.choice(n, 3)] = np.nan
    f = pd.DataFrame({"a": text(a.tolist()), "b": b, "v": v})
    groups, keys = frames.sorted_groups(f, ["a", "b"])
    want = f.groupby(["a", "b"], as_index=False)["v"].sum()
    assert_frame_equal(keys, want[["a", "b"]], check_exact=True)
    got = frames.group_sums(f["v"].to_numpy(), groups, sort=True)
    assert got.tobytes() == want["v"].to_numpy().tobytes()
    g = frames.sorted_groups(f, ["a"])[0]
    by_a = f.groupby("a")["v"].sum().to_numpy()
    assert frames.group_sums(v, g, sort=True).tobytes() == by_a.tobytes()


def test_key_columns_compare_and_plan_as_the_selected_frame():
    """A plan's input given as `frames.key_cols` is compared as the frame it names would be,
    and the plan gets that frame, with or without a batch's cache."""
    import dataclasses

    from peakpath.core.algebra import LookupCache, _flatten

    @dataclasses.dataclass(frozen=True)
    class In:
        table: object
        years: list

    f = pd.DataFrame({"sector": ["a", "b", "a"], "year": [2020, 2021, 2022],
                      "value": [1.0, 2.0, 3.0]})
    lazy, eager = In(frames.key_cols(f, ["year", "sector"]), [1]), In(f[["year", "sector"]], [1])
    for a, b in zip(_flatten(lazy), _flatten(eager), strict=True):
        np.testing.assert_array_equal(a, b, strict=True)
    seen = []

    def plan(k: In) -> dict:
        seen.append(k.table)
        return {"n": np.array([len(k.table)])}

    cache = LookupCache()
    cache.verify = False  # the tests' verification would compute a reused plan again
    for lookups in (None, cache, cache):
        assert frames.planned(lookups, "site", lazy, plan)["n"].tolist() == [3]
    assert len(seen) == 2 and cache.memo_hits["site"] == 1  # the third call reused
    for got in seen:
        assert_frame_equal(got, f[["year", "sector"]])
    changed = In(frames.key_cols(f.assign(sector=["a", "b", "c"]), ["year", "sector"]), [1])
    frames.planned(cache, "site", changed, plan)
    assert len(seen) == 3  # another key: planned again
    with pytest.raises(KeyError, match="district"):
        frames.key_cols(f, ["district"])


@pytest.mark.parametrize("settings", [{}, {"districts": True}, {"years.end": 2050}])
def test_activity_added_is_the_groupby_difference_clipped(wuhan, settings):
    """The activity added over the previous year (new floor area, new vehicles), read
    through planned previous rows, is pandas' ``groupby(...).diff().clip(lower=0)`` over the
    rows sorted by year, bit for bit, with or without a batch's cache."""
    from peakpath.core.algebra import LookupCache

    sc = shipped("wuhan-stretch").with_settings(settings) if settings else shipped(
        "wuhan-stretch")
    sc = with_levels(wuhan, sc)
    md = derive(wuhan, sc)
    a = md.activity.sort_values("year")
    want = a.groupby(["sector", "district"])["value"].diff().clip(lower=0.0).reindex(
        md.activity.index).to_numpy(float)
    assert np.isnan(want).any() and (want == 0).any() and (want > 0).any()
    assert md.activity_added().tobytes() == want.tobytes()
    assert derive(wuhan, sc).activity_added(LookupCache()).tobytes() == want.tobytes()


def test_a_sector_without_activity_is_named_with_or_without_a_plan(wuhan):
    """The activity projection's plan keeps derive's message for a sector that has no
    activity at all (its base-year row is what every later year grows from)."""
    from peakpath.core.algebra import LookupCache
    from peakpath.errors import InputError

    data = wuhan.copy()
    a = data.tables["activity"]
    data.tables["activity"] = a[a["sector"] != "rice"].reset_index(drop=True)
    sc = with_levels(wuhan, shipped("wuhan-baseline"))
    for lookups in (None, LookupCache()):
        with pytest.raises(InputError) as e:
            derive(data, sc, lookups)
        assert [p.message for p in e.value.problems] == [
            "sector 'rice' has no activity in the base year 2020"]


@pytest.mark.parametrize("case", ["lookup", "missing", "duplicate", "collision", "index"])
def test_lookup_join_is_the_merge(case):
    """`frames.lookup_join` gives the merge's frame, value for value and dtype for dtype:
    added columns where each left row finds one right row, the merge itself where one finds
    none or two, a name collides or the index is not 0 … n−1; with a cache and without."""
    from peakpath.core.algebra import LookupCache

    left = pd.DataFrame({"sector": text(["s1", "s2", "s1", "s3"]), "x": [1.0, 2.0, 3.0, 4.0]})
    right = pd.DataFrame({"sector": text(["s3", "s1", "s2"]), "group": text(["g3", "g1", "g2"]),
                          "k": [0.5, 1.5, 2.5]})
    if case == "missing":
        right = right.iloc[:2]
    elif case == "duplicate":
        right = pd.concat([right, right.iloc[:1]], ignore_index=True)
    elif case == "collision":
        left = left.assign(k=9.0)
    elif case == "index":
        left.index = [3, 2, 1, 0]
    want = frames.merge(left, right[["sector", "group", "k"]], on=["sector"])
    cache = LookupCache()
    for lookups in (None, cache, cache):
        got = frames.lookup_join(lookups, "site", left, right, ["sector"], ["group", "k"])
        assert_frame_equal(got, want, check_exact=True)


@pytest.mark.parametrize("kernel", [True, False])
def test_large_groups_add_as_pandas_with_or_without_its_kernel(kernel, monkeypatch):
    """Groups of more than `frames.KAHAN_ROUNDS` rows are added by pandas' own kernel where
    it agrees with pandas' groupby on a probe, and by the groupby otherwise: the same bits."""
    monkeypatch.setitem(frames._KERNEL, "ok", kernel)
    rng = np.random.default_rng(7)
    value = rng.normal(scale=10.0 ** rng.integers(-3, 16, 3000), size=3000)
    value[::31] = -0.0
    groups = pd.factorize(rng.integers(0, 12, 3000))[0]
    want = pd.Series(value).groupby(groups, sort=False).sum().to_numpy()
    assert frames.group_sums(value, groups).tobytes() == want.tobytes()
    assert frames._kernel_agrees()  # the pandas under test has the kernel as called


def test_a_macro_series_missing_is_named_not_an_internal_error(wuhan):
    """Without the industry share macro cannot make industrial value added, a driver of
    several sectors: derive names the missing rows (an internal KeyError before)."""
    from peakpath.errors import InputError

    data = wuhan.copy()
    m = data.tables["macro"]
    data.tables["macro"] = m[m["variable"] != "secondary_share"].reset_index(drop=True)
    with pytest.raises(InputError) as e:
        derive(data, with_levels(wuhan, shipped("wuhan-baseline")))
    assert e.value.problems[0].message == "no secondary_share rows"
