r"""CCUS (市科技局): capture can take at most a share of its host's CO2.

A capture measure sits in the CCUS sector (its captured CO2 is negative CO2 there, its energy
penalty is the CCUS sector's energy use). It can capture no more than ``max_capture_share`` of
the host sector's direct CO2 in the same district and year::

    capture[m] * stock[m,d,y] <= share[m] * emissions[host_m,CO2,d,y]   (res_capture_host)

where capture[m] is the CO2 captured per unit (minus the measure's process CO2 effect).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from peakpath.core.context import Context
from peakpath.core.frames import key_cols, merge, numbered


def add(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    e = md.effects
    k = ctx.b.memo("capture", CaptureInputs(
        key_cols(md.measures, ["measure", "host_sector"]),
        key_cols(e, ["kind", "item", "measure", "year"]),
        led.stock.index), capture_rows)
    rows = k["rows"]
    if rows.empty:
        return
    captured = e["value"].to_numpy(float)[k["effect_rows"]]
    share = md.measures["max_capture_share"].to_numpy(float)[k["measure_rows"]]
    ctx.b.add_rows("res_capture_host", rows,
                   [led.stock.terms(rows, -captured),
                    led["emissions"].terms(k["host"], -share)],
                   ub=0.0, unit="万t", doc="capture at most a share of the host's CO2")


@dataclass(frozen=True)
class CaptureInputs:
    measures: pd.DataFrame  # measure, host_sector
    effects: pd.DataFrame  # kind, item, measure, year of md.effects, in row order
    stock: pd.DataFrame  # measure, district, year: the stock block's index


def capture_rows(k: CaptureInputs) -> dict[str, object]:
    """The stock entries of capture measures in the years of their process-CO2 effect
    (``rows``), their host's emissions entry (``host``: sector, gas CO2), and the rows of
    the effect and of the measure that give their numbers."""
    m = numbered(k.measures, "measure_row")
    cap = m[m["host_sector"] != ""]
    e = numbered(k.effects, "effect_row")
    e = e[(e["kind"] == "process") & (e["item"] == "CO2")]
    cap = merge(cap, e[["measure", "year", "effect_row"]], on="measure")
    idx = merge(k.stock, cap, on=["measure", "year"])
    rows = idx[["measure", "district", "year"]]
    return {"rows": rows, "host": rows.assign(sector=idx["host_sector"].to_numpy(), gas="CO2"),
            "effect_rows": idx["effect_row"].to_numpy(),
            "measure_rows": idx["measure_row"].to_numpy()}
