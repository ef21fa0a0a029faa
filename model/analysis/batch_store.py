"""The data of a batch's finished scenarios, kept as they finish, without a folder per scenario.

A batch appends each finished scenario's results (the variables that go into ``batch.nc``
and its IAMC rows) to one append-only file, `PARTS_FILE`, in the batch folder. At the end
of the batch they are combined into ``batch.nc`` and ``iamc.csv`` and the file is removed.

Each record is ``length (8 bytes, big-endian) | SHA-256 of the payload (32 bytes) | payload``,
where the payload is a pickled dict of plain Python and NumPy values (`part_of` — no xarray
objects, so a record does not depend on the xarray version that wrote it). Records are
written with one ``write`` and flushed to disk before the scenario counts as finished, so a
batch killed at any moment leaves a file whose complete records are all readable; a record
cut short by the kill (or damaged) fails its length or hash check and is skipped with
everything after it: those scenarios are solved again on resume.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import struct
from pathlib import Path
from typing import Any

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
    keep = [n for n, v in ds.data_vars.items() if "target_row" not in v.dims]
    out = ds[keep].drop_dims("target_row", errors="ignore")
    out.attrs = {"status": ds.attrs.get("status"), "input_hash": ds.attrs.get("input_hash")}
    out.encoding = {}
    return out


def part_of(ds: xr.Dataset, iamc: pd.DataFrame) -> dict[str, Any]:
    """One scenario's batch data as plain values: its `batch_variables` and IAMC rows."""
    return {"dataset": batch_variables(ds).to_dict(data="array"),
            "iamc": iamc.to_dict(orient="split")}


def dataset_of(part: dict[str, Any]) -> xr.Dataset:
    return xr.Dataset.from_dict(part["dataset"])


def iamc_of(part: dict[str, Any]) -> pd.DataFrame:
    d = part["iamc"]
    # JSON-like split form: column labels of years come back as ints already (pickle)
    return pd.DataFrame(d["data"], columns=d["columns"])


class PartsWriter:
    """Appends scenario records to `PARTS_FILE` (one ``write`` and an fsync each)."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / PARTS_FILE
        self.fh = open(self.path, "ab")  # noqa: SIM115 - closed in close()

    def add(self, scenario: str, key: str | None, part: dict[str, Any]) -> None:
        payload = pickle.dumps({"id": scenario, "key": key, "part": part},
                               protocol=pickle.HIGHEST_PROTOCOL)
        self.fh.write(_HEAD.pack(len(payload), hashlib.sha256(payload).digest()) + payload)
        self.fh.flush()
        os.fsync(self.fh.fileno())

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
        out[str(rec["id"])] = {"key": rec.get("key"), "part": rec["part"]}
        pos = end
    return out
