"""The data of a batch's finished scenarios, kept as they finish, without a folder per scenario.

A batch appends each finished scenario's results (the variables that go into ``batch.nc``
and its IAMC rows) to one append-only file, `PARTS_FILE`, in the batch folder. At the end
of the batch they are combined into ``batch.nc`` and ``iamc.csv`` and the file is removed.

Each record is ``length (8 bytes, big-endian) | SHA-256 of the payload (32 bytes) | payload``,
where the payload is a pickled ``{"id", "key", "part"}`` and the part is a pickled dict of
plain Python and NumPy values (`part_of` — no xarray objects, so a record does not depend on
the xarray version that wrote it), pickled once, by the worker that solved the scenario
(`pickled_part`). Records are written with one ``write`` and handed to the operating system
before the scenario counts as finished, so a batch killed at any moment leaves a file whose
complete records are all readable; a record cut short by the kill (or damaged) fails its
length or hash check and is skipped with everything after it: those scenarios are solved
again on resume. The files are synced to disk by `GroupSync`, at most `SYNC_INTERVAL_S`
after a write: a power cut can cost the scenarios of that last fraction of a second, which a
resume solves again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import struct
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

#: the append-only file of finished scenarios' data in a batch folder (removed once batch.nc
#: holds them)
PARTS_FILE = "progress.parts"

_HEAD = struct.Struct(">Q32s")


def batch_variables(ds: xr.Dataset) -> xr.Dataset:
    """The variables of one scenario's results that go into ``batch.nc``: everything except
    the target table (its rows differ between scenarios; summary.csv and targets.csv carry
    it), with only the attributes a batch compares."""
    keep = [n for n in ds.data_vars if "target_row" not in ds.variables[n].dims]
    out = ds[keep].drop_dims("target_row", errors="ignore")
    out.attrs = {"status": ds.attrs.get("status"), "input_hash": ds.attrs.get("input_hash")}
    out.encoding = {}
    return out


def part_of(ds: xr.Dataset, iamc: pd.DataFrame | tuple[list, list[np.ndarray]]
            ) -> dict[str, Any]:
    """One scenario's batch data as plain values: its `batch_variables` and IAMC rows (as
    ``{"columns": [...], "arrays": [...]}``, one NumPy array per column: the row lists of
    ``to_dict(orient="split")`` cost ≈ 0.6 ms a scenario). ``iamc`` is the IAMC table, or
    its columns and arrays (`peakpath.results.dataset.iamc_columns`: no frame made)."""
    columns, arrays = ((list(iamc.columns), [iamc[c].to_numpy() for c in iamc.columns])
                       if isinstance(iamc, pd.DataFrame) else iamc)
    return {"dataset": as_dict(batch_variables(ds)),
            "iamc": {"columns": list(columns), "arrays": list(arrays)}}


def pickled_part(part: dict[str, Any]) -> bytes:
    """A part (`part_of`) as the bytes `PartsWriter` stores: pickled where the scenario was
    solved, so the batch writes it to `PARTS_FILE` as it came, without pickling it again
    (≈ 0.2 ms a Monte Carlo scenario of the batch's own process, which shares the cores with
    the workers)."""
    return pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)


def as_dict(ds: xr.Dataset) -> dict[str, Any]:
    """``ds.to_dict(data="array")``, read from the variables: xarray's makes a DataArray per
    variable on the way (≈ 3 ms a scenario of the Monte Carlo)."""
    from xarray.core.utils import decode_numpy_dict_values

    v = ds.variables
    return {"coords": {k: v[k].to_dict(data="array") for k in ds.coords},
            "attrs": decode_numpy_dict_values(ds.attrs), "dims": dict(ds.sizes),
            "data_vars": {k: v[k].to_dict(data="array") for k in ds.data_vars}}


def dataset_of(part: dict[str, Any]) -> xr.Dataset:
    return xr.Dataset.from_dict(part["dataset"])


def combine(ids: list[str], scenarios: list[dict[str, Any] | xr.Dataset]) -> xr.Dataset:
    """The scenarios' batch variables along a new ``scenario`` dimension (labels ``ids``).

    Each scenario is a part's ``dataset`` dict (`part_of`) or a Dataset. Variables keep the
    attributes (units) on which every scenario agrees; the Dataset's own attributes are
    dropped. Scenarios with the same coordinates (every Monte Carlo draw of one structure)
    are stacked as arrays; otherwise they are aligned with an outer join (missing: NaN).
    """
    dicts = [as_dict(s) if isinstance(s, xr.Dataset) else s for s in scenarios]
    if _same_layout(dicts):
        return _stacked(ids, dicts)
    out = xr.concat([xr.Dataset.from_dict(d).expand_dims(scenario=[i])
                     for i, d in zip(ids, dicts, strict=True)],
                    dim="scenario", join="outer", combine_attrs="drop_conflicts")
    out.attrs = {}
    return out


def _same_layout(dicts: list[dict[str, Any]]) -> bool:
    """Whether every scenario has the first one's coordinates (values included) and its
    variables with the same dimensions and shapes."""
    first = dicts[0]
    for d in dicts[1:]:
        if d["coords"].keys() != first["coords"].keys() or \
                d["data_vars"].keys() != first["data_vars"].keys():
            return False
        for k, c in d["coords"].items():
            c0 = first["coords"][k]
            if tuple(c["dims"]) != tuple(c0["dims"]) or not _same_labels(c["data"],
                                                                         c0["data"]):
                return False
        for k, v in d["data_vars"].items():
            v0 = first["data_vars"][k]
            if tuple(v["dims"]) != tuple(v0["dims"]) or np.shape(v["data"]) != np.shape(
                    v0["data"]):
                return False
    return True


def _same_labels(a: Any, b: Any) -> bool:
    """``np.array_equal(a, b)``, answered from the bytes when two arrays of numbers or
    fixed-width text have the same ones (the usual case: 500 Monte Carlo draws compare
    ≈ 11,000 coordinate arrays; equal bytes, equal values)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype == b.dtype and a.shape == b.shape and a.dtype.kind in "biuUS" and \
            a.tobytes() == b.tobytes():
        return True
    return bool(np.array_equal(a, b))


def _stacked(ids: list[str], dicts: list[dict[str, Any]]) -> xr.Dataset:
    first = dicts[0]
    data_vars = {}
    for k, v0 in first["data_vars"].items():
        attrs = _agreed([d["data_vars"][k]["attrs"] for d in dicts])
        data_vars[k] = (("scenario", *v0["dims"]),
                        np.stack([np.asarray(d["data_vars"][k]["data"]) for d in dicts]), attrs)
    coords = {k: (tuple(c["dims"]), c["data"], c["attrs"]) for k, c in first["coords"].items()}
    coords["scenario"] = ("scenario", np.asarray(ids))
    return xr.Dataset(data_vars, coords=coords)


def _agreed(attrs: list[dict[str, Any]]) -> dict[str, Any]:
    """The attributes with one value in every scenario."""
    first = attrs[0]
    return {k: v for k, v in first.items()
            if all(k in a and _equal(a[k], v) for a in attrs[1:])}


def _equal(a: Any, b: Any) -> bool:
    if type(a) is str and type(b) is str:  # units and labels: most attributes of a batch
        return a == b
    try:
        return bool(np.array_equal(a, b))
    except Exception:  # values numpy cannot compare: equal only if the same
        return a is b


def iamc_of(part: dict[str, Any]) -> pd.DataFrame:
    """A part's IAMC rows as a frame (column labels of years come back as ints: pickle)."""
    d = part["iamc"]
    if "arrays" in d:
        return pd.DataFrame(dict(zip(d["columns"], d["arrays"], strict=True)))
    # the split form (rows as lists) of parts written before 2026-12-04
    return pd.DataFrame(d["data"], columns=d["columns"])


def stacked_iamc(items: list[dict[str, Any] | pd.DataFrame]) -> pd.DataFrame:
    """Many scenarios' IAMC rows in one frame: ``pd.concat`` of their frames (`iamc_of` of a
    part's ``iamc``) with a new index. Parts stored one array per column, all with the same
    columns and types (every draw of one structure), are joined column by column instead,
    without a frame each: the same frame, 0.013 s instead of 0.21 s for the 500 Monte Carlo
    draws (the end of a batch)."""
    raw = [x for x in items if isinstance(x, dict) and "arrays" in x]
    if raw and len(raw) == len(items):
        cols = raw[0]["columns"]
        types = [np.asarray(a).dtype for a in raw[0]["arrays"]]
        if len(set(cols)) == len(cols) and all(
                x["columns"] == cols and [np.asarray(a).dtype for a in x["arrays"]] == types
                for x in raw):
            return pd.DataFrame({c: np.concatenate([x["arrays"][i] for x in raw])
                                 for i, c in enumerate(cols)})
    return pd.concat([x if isinstance(x, pd.DataFrame) else iamc_of({"iamc": x})
                      for x in items], ignore_index=True)


#: seconds between two syncs of a batch's progress files to disk while scenarios finish
SYNC_INTERVAL_S = 0.25


class GroupSync:
    """Syncs files to disk (``fsync``) in a background thread, at most every ``interval``
    seconds and only after a write (`written`): one sync covers every record written since
    the last (a group commit, as PostgreSQL's WAL writer does with ``synchronous_commit =
    off``). Two syncs per finished scenario (its data and its log line) took ≈ 1.3 ms each
    in the batch's own process (1,000 in a 500-scenario Monte Carlo, which ran ≈ 0.15 s
    faster without them). The writers flush each record to the operating system at once,
    so killing the batch loses nothing; `close` syncs what is left. A failed sync is raised
    by the next `written` or by `close`."""

    def __init__(self, interval: float = SYNC_INTERVAL_S):
        self.interval = interval
        self.files: list = []
        self.error: OSError | None = None
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peakpath-sync", daemon=True)
        self._thread.start()

    def watch(self, fh) -> None:
        self.files.append(fh)

    def written(self) -> None:
        """Some watched file has a record flushed but not yet synced."""
        self._raise_error()
        self._dirty.set()

    def close(self, check: bool = True) -> None:
        """Stop the thread, then sync every watched file (call it before they are closed);
        ``check``: raise a failed sync. Called again, it only checks."""
        if not self._stop.is_set():
            self._stop.set()
            self._dirty.set()
            self._thread.join()
            self._sync()
        if check:
            self._raise_error()

    def _run(self) -> None:
        while True:
            self._dirty.wait()
            if self._stop.is_set():
                return
            self._dirty.clear()
            self._sync()
            self._stop.wait(self.interval)

    def _sync(self) -> None:
        for fh in self.files:
            try:
                os.fsync(fh.fileno())
            except OSError as e:
                self.error = self.error or e
            except ValueError:  # closed already: nothing left to sync
                pass

    def _raise_error(self) -> None:
        if self.error is not None:
            raise self.error


class PartsWriter:
    """Appends scenario records to `PARTS_FILE` (one ``write`` each, flushed; synced by
    ``sync``), and keeps what it wrote in ``written`` (as `read_parts` would read it back):
    the batch combines them at its end without reading the file again (≈ 0.5 s for 500
    scenarios of the Monte Carlo, a step no worker can share). The combined batch.nc holds
    the same data in memory anyway."""

    def __init__(self, folder: Path, sync: GroupSync | None = None):
        self.path = Path(folder) / PARTS_FILE
        self.fh = open(self.path, "ab")  # noqa: SIM115 - closed in close()
        self.sync = sync
        if sync is not None:
            sync.watch(self.fh)
        self.written: dict[str, dict[str, Any]] = {}

    def add(self, scenario: str, key: str | None, part: bytes) -> None:
        """Append a scenario's part, as `pickled_part` made it."""
        payload = pickle.dumps({"id": scenario, "key": key, "part": part},
                               protocol=pickle.HIGHEST_PROTOCOL)
        self.fh.write(_HEAD.pack(len(payload), hashlib.sha256(payload).digest()) + payload)
        self.fh.flush()
        if self.sync is not None:
            self.sync.written()
        else:
            os.fsync(self.fh.fileno())
        self.written[str(scenario)] = {"key": key, "part": pickle.loads(part)}

    def close(self) -> None:
        self.fh.close()


def read_parts(folder: Path) -> dict[str, dict[str, Any]]:
    """The complete records of `PARTS_FILE` by scenario id (a later record of an id wins),
    each ``{"key": ..., "part": ...}``; reading stops at the first record that is cut short
    or fails its hash."""
    f = Path(folder) / PARTS_FILE
    out: dict[str, dict[str, Any]] = {}
    if not f.is_file():
        return out
    data = f.read_bytes()
    pos = 0
    while pos + _HEAD.size <= len(data):
        n, digest = _HEAD.unpack_from(data, pos)
        start, end = pos + _HEAD.size, pos + _HEAD.size + n
        if end > len(data) or hashlib.sha256(data[start:end]).digest() != digest:
            break
        try:
            rec = pickle.loads(data[start:end])  # records this module wrote
        except Exception:  # an unreadable record ends the usable file
            break
        part = rec["part"]
        if isinstance(part, bytes):  # as the worker pickled it (`pickled_part`)
            try:
                part = pickle.loads(part)
            except Exception:
                break
        out[str(rec["id"])] = {"key": rec.get("key"), "part": part}
        pos = end
    return out
