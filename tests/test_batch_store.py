"""The append-only record file of a batch's finished scenarios (`peakpath.analysis.batch_store`):
complete records are all read back; one cut short by a kill, or damaged, ends the usable file."""

from __future__ import annotations

import hashlib
import os
import pickle
import time

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from peakpath.analysis.batch_store import (
    _HEAD,
    PARTS_FILE,
    GroupSync,
    PartsWriter,
    combine,
    dataset_of,
    iamc_of,
    part_of,
    pickled_part,
    read_parts,
    stacked_iamc,
)


def scenario(i: int) -> tuple[xr.Dataset, pd.DataFrame]:
    ds = xr.Dataset({"co2_total": ("year", np.arange(3.0) + i),
                     "rows": ("target_row", np.arange(2.0))},
                    coords={"year": [2020, 2025, 2030]},
                    attrs={"status": "optimal", "input_hash": f"h{i}", "scenario": "x"})
    iamc = pd.DataFrame({"variable": ["Emissions|CO2"], 2020: [1.0 + i]})
    return ds, iamc


def write(folder, n: int) -> list[int]:
    w = PartsWriter(folder)
    ends = []
    for i in range(n):
        w.add(f"s{i}", f"k{i}", pickled_part(part_of(*scenario(i))))
        ends.append(w.fh.tell())
    w.close()
    return ends


def test_records_come_back_as_written_without_the_target_table(tmp_path):
    write(tmp_path, 3)
    got = read_parts(tmp_path)
    assert list(got) == ["s0", "s1", "s2"] and got["s1"]["key"] == "k1"
    ds = dataset_of(got["s2"]["part"])
    assert ds["co2_total"].values.tolist() == [2.0, 3.0, 4.0]
    assert "target_row" not in ds.dims and ds.attrs == {"status": "optimal",
                                                         "input_hash": "h2"}
    assert iamc_of(got["s2"]["part"])[2020].tolist() == [3.0]


def test_a_record_cut_short_or_damaged_ends_the_usable_file(tmp_path):
    ends = write(tmp_path, 3)
    f = tmp_path / PARTS_FILE
    data = f.read_bytes()
    f.write_bytes(data[: ends[2] - 5])  # a kill in the middle of the third write
    assert list(read_parts(tmp_path)) == ["s0", "s1"]
    damaged = bytearray(data)
    damaged[ends[0] + 60] ^= 0xFF  # a flipped byte in the second record's payload
    f.write_bytes(bytes(damaged))
    assert list(read_parts(tmp_path)) == ["s0"]
    assert read_parts(tmp_path / "nowhere") == {}


def test_a_later_record_of_a_scenario_wins(tmp_path):
    write(tmp_path, 2)
    w = PartsWriter(tmp_path)
    w.add("s0", "k-new", pickled_part(part_of(*scenario(9))))
    w.close()
    got = read_parts(tmp_path)
    assert got["s0"]["key"] == "k-new"
    assert dataset_of(got["s0"]["part"])["co2_total"].values[0] == 9.0


def test_what_the_writer_keeps_is_what_the_file_gives_back(tmp_path):
    # the batch combines the kept parts at its end instead of reading the file again
    write(tmp_path, 2)
    w = PartsWriter(tmp_path)
    w.add("s1", "k-new", pickled_part(part_of(*scenario(7))))
    w.add("s2", "k2", pickled_part(part_of(*scenario(2))))
    w.close()
    on_disk = read_parts(tmp_path)
    assert list(w.written) == ["s1", "s2"]
    for vid, kept in w.written.items():
        assert kept["key"] == on_disk[vid]["key"]
        assert dataset_of(kept["part"]).identical(dataset_of(on_disk[vid]["part"]))
        pd.testing.assert_frame_equal(iamc_of(kept["part"]), iamc_of(on_disk[vid]["part"]))


def test_a_record_of_a_part_pickled_with_its_record_is_read_too(tmp_path):
    # progress.parts of a batch interrupted before parts came pickled from the workers
    payload = pickle.dumps({"id": "s0", "key": "k0", "part": part_of(*scenario(4))})
    (tmp_path / PARTS_FILE).write_bytes(
        _HEAD.pack(len(payload), hashlib.sha256(payload).digest()) + payload)
    write_more = PartsWriter(tmp_path)
    write_more.add("s1", "k1", pickled_part(part_of(*scenario(5))))
    write_more.close()
    got = read_parts(tmp_path)
    assert [dataset_of(got[s]["part"])["co2_total"].values[0] for s in got] == [4.0, 5.0]


def test_group_sync_syncs_after_writes_at_most_once_an_interval_and_on_close(
        tmp_path, monkeypatch):
    import peakpath.analysis.batch_store as S

    synced = []
    monkeypatch.setattr(S.os, "fsync", lambda fd: synced.append((fd, time.monotonic())))
    sync = GroupSync(interval=0.2)
    w = PartsWriter(tmp_path, sync)
    fd = w.fh.fileno()
    time.sleep(0.05)
    assert synced == []  # nothing written, nothing synced
    for i in range(5):  # five records in quick succession: one or two syncs, not five
        w.add(f"s{i}", "k", pickled_part(part_of(*scenario(i))))
    time.sleep(0.1)
    assert 1 <= len(synced) <= 2 and {f for f, _ in synced} == {fd}
    n = len(synced)
    sync.close()
    assert len(synced) == n + 1  # what the last interval wrote is synced on close
    sync.close()
    assert len(synced) == n + 1
    w.close()
    assert list(read_parts(tmp_path)) == [f"s{i}" for i in range(5)]


def test_a_failed_sync_is_raised_by_the_next_write_or_the_close(tmp_path, monkeypatch):
    import peakpath.analysis.batch_store as S

    def broken(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(S.os, "fsync", broken)
    sync = GroupSync(interval=0.01)
    w = PartsWriter(tmp_path, sync)
    w.add("s0", "k", pickled_part(part_of(*scenario(0))))
    deadline = time.monotonic() + 5
    while sync.error is None and time.monotonic() < deadline:
        time.sleep(0.01)
    with pytest.raises(OSError, match="Input/output"):
        w.add("s1", "k", pickled_part(part_of(*scenario(1))))
    with pytest.raises(OSError, match="Input/output"):
        sync.close()
    sync.close(check=False)
    w.close()
    assert os.path.getsize(tmp_path / PARTS_FILE) > 0


def _draw(i: int, years=(2020, 2025, 2030)) -> xr.Dataset:
    return xr.Dataset({"co2_total": ("year", np.arange(len(years), dtype=float) + i,
                                     {"units": "万t CO2", "draw": i}),
                       "label": ("year", np.array([f"y{y}" for y in years]))},
                      coords={"year": list(years)}, attrs={"status": "optimal"})


def test_draws_of_one_layout_are_stacked_with_their_agreed_units():
    dicts = [_draw(i).to_dict(data="array") for i in range(3)]
    got = combine(["a", "b", "c"], dicts)
    assert got["co2_total"].dims == ("scenario", "year")
    np.testing.assert_array_equal(got["co2_total"].sel(scenario="c").values, [2.0, 3.0, 4.0])
    # the unit every draw shares is kept; an attribute that differs is dropped
    assert got["co2_total"].attrs == {"units": "万t CO2"}
    assert got.attrs == {}
    # the same as aligning them one by one
    slow = xr.concat([_draw(i).expand_dims(scenario=[k]) for i, k in enumerate("abc")],
                     dim="scenario", join="outer", combine_attrs="drop_conflicts")
    slow.attrs = {}
    xr.testing.assert_identical(got, slow)


def test_draws_of_different_years_are_aligned_with_gaps():
    got = combine(["a", "b"], [_draw(0), _draw(1, years=(2020, 2035)).to_dict(data="array")])
    assert got["year"].values.tolist() == [2020, 2025, 2030, 2035]
    row = got["co2_total"].sel(scenario="b").values
    assert row[0] == 1.0 and np.isnan(row[1]) and np.isnan(row[2]) and row[3] == 2.0
    assert got["co2_total"].attrs == {"units": "万t CO2"}


def test_as_dict_is_xarrays_to_dict():
    """`batch_store.as_dict` gives what ``Dataset.to_dict(data="array")`` gives: coordinates
    (text, numbers, non-index ones), variables with units, NumPy attributes made native."""
    from peakpath.analysis.batch_store import as_dict

    ds = xr.Dataset(
        {"co2": (("year", "sector"), np.arange(6.0).reshape(3, 2), {"units": "万t"}),
         "n": ("sector", np.array([1, 2]))},
        coords={"year": [2020, 2025, 2030], "sector": ["steel", "power"],
                "sector_name_zh": ("sector", np.array(["钢铁", "电力"]))},
        attrs={"status": "optimal", "base_year": np.int64(2020), "ys": np.array([1, 2])})
    want, got = ds.to_dict(data="array"), as_dict(ds)
    assert got.keys() == want.keys() and got["attrs"] == want["attrs"]
    assert got["dims"] == want["dims"] and type(got["attrs"]["base_year"]) is int
    for part in ("coords", "data_vars"):
        assert list(got[part]) == list(want[part])
        for name, v in want[part].items():
            assert got[part][name]["dims"] == v["dims"] and got[part][name]["attrs"] == v["attrs"]
            np.testing.assert_array_equal(got[part][name]["data"], v["data"], strict=True)


def test_iamc_rows_of_a_part_in_either_form_give_the_same_frame():
    """A part keeps its IAMC rows one array per column; a part written by an earlier version
    (rows as lists, ``to_dict(orient="split")``) is read to the same frame, so a batch
    interrupted before an upgrade still resumes."""
    ds, iamc = scenario(4)
    iamc = iamc.assign(unit="Mt CO2/yr", variable=["Emissions|CO2"])
    new = part_of(ds, iamc)
    old = {**new, "iamc": iamc.to_dict(orient="split")}
    pd.testing.assert_frame_equal(iamc_of(new), iamc, check_exact=True)
    pd.testing.assert_frame_equal(iamc_of(old), iamc_of(new), check_exact=True)


def test_many_scenarios_iamc_rows_are_their_frames_concatenated():
    """`stacked_iamc` gives ``pd.concat`` of each scenario's frame, whether it joins parts
    column by column (one layout), or falls back to the concatenation (another column, a
    column of another type, a frame from an earlier run's iamc.csv, an old-form part)."""
    def rows(i: int, **extra) -> pd.DataFrame:
        return pd.DataFrame({"model": "peakpath", "scenario": f"s{i}",
                             "variable": ["Emissions|CO2", "Final Energy"],
                             2020: [1.0 + i, np.nan], 2025: [2.0, 3.0 * i], **extra})

    def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(frames, ignore_index=True)

    same = [rows(i) for i in range(4)]
    parts = [part_of(scenario(i)[0], f)["iamc"] for i, f in enumerate(same)]
    pd.testing.assert_frame_equal(stacked_iamc(parts), concat(same), check_exact=True)
    for odd in (rows(9, unit="Mt"),             # another column: aligned, gaps
                rows(9).astype({2025: object}),  # another type
                ):
        mixed = [*parts, part_of(scenario(9)[0], odd)["iamc"]]
        pd.testing.assert_frame_equal(stacked_iamc(mixed), concat([*same, odd]),
                                      check_exact=True)
    old_form = rows(7).to_dict(orient="split")
    pd.testing.assert_frame_equal(stacked_iamc([*parts, rows(8), old_form]),
                                  concat([*same, rows(8), iamc_of({"iamc": old_form})]),
                                  check_exact=True)
