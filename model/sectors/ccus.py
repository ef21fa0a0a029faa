r"""CCUS (市科技局): capture can take at most a share of its host's CO2.

A capture measure sits in the CCUS sector (its captured CO2 is negative CO2 there, its energy
penalty is the CCUS sector's energy use). It can capture no more than ``max_capture_share`` of
the host sector's direct CO2 in the same district and year::

    capture[m] * stock[m,d,y] <= share[m] * emissions[host_m,CO2,d,y]   (res_capture_host)

where capture[m] is the CO2 captured per unit (minus the measure's process CO2 effect).
"""

from __future__ import annotations

from peakpath.core.context import Context
from peakpath.core.frames import merge


def add(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    meas = md.measures
    cap = meas[meas["host_sector"] != ""]
    eff = md.effects[(md.effects["kind"] == "process") & (md.effects["item"] == "CO2")]
    cap = merge(cap, eff[["measure", "year", "value"]], on="measure")
    idx = merge(led.stock.index, cap[["measure", "year", "host_sector", "max_capture_share",
                                      "value"]], on=["measure", "year"])
    if idx.empty:
        return
    rows = idx[["measure", "district", "year"]]
    em = led["emissions"]
    host = idx.rename(columns={"host_sector": "sector"}).assign(gas="CO2")
    ctx.b.add_rows("res_capture_host", rows,
                   [led.stock.terms(idx, -idx["value"].to_numpy(float)),
                    em.terms(host, -idx["max_capture_share"].to_numpy(float))],
                   ub=0.0, unit="万t", doc="capture at most a share of the host's CO2")
