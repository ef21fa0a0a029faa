r"""Industry (市经信局): non-energy use of feedstock (原料用能).

Part of some sectors' fuel (naphtha for ethylene, coal and gas for chemicals) is feedstock: it
ends up in products, is not burned and emits no CO2 where it is used. The account
feedstock[s,f,d,y] (万tce, `peakpath.core.ledger`) holds the baseline share fs[s,f] of A*I plus the
feedstock that measures and projects add explicitly (effect kind ``feedstock``); a measure's or
project's change of *burned* fuel is never scaled by the share::

    emissions[s,CO2,d,y] -= EF[f,y] * feedstock[s,f,d,y]
    energy_total[y]      -= feedstock[s,f,d,y]          (only if accounting.exclude_feedstock)

The feedstock stays in energy and fuel_use (coal cap, oil peak) and in primary_energy.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from peakpath.core.context import Context
from peakpath.core.frames import key_cols, merge, numbered


def add(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    fs = led["feedstock"]
    if fs.index.empty:
        return
    k = ctx.b.memo("feedstock_burned", FeedstockInputs(
        fs.index, key_cols(md.emission_factor, ["fuel", "year"])), feedstock_factor_rows)
    ef = md.emission_factor["value"].to_numpy(float)[k["ef_row"]]
    led["emissions"].add(fs.terms(k["keys"], -ef))
    if md.scenario.accounting["exclude_feedstock"]:
        led["energy_total"].add(fs.terms(fs.index, -1.0))


@dataclass(frozen=True)
class FeedstockInputs:
    feedstock: pd.DataFrame  # sector, fuel, district, year: the feedstock account's index
    emission: pd.DataFrame  # fuel, year of md.emission_factor, in its row order


def feedstock_factor_rows(k: FeedstockInputs) -> dict[str, object]:
    """Each feedstock entry with the emission factor of its fuel and year, in the order of
    ``merge(feedstock, emission, on=[fuel, year])``: the emissions keys (``keys``, gas CO2)
    and the factor's row (``ef_row``)."""
    m = merge(k.feedstock, numbered(k.emission, "ef_row"), on=["fuel", "year"])
    return {"keys": m[["sector", "fuel", "district", "year"]].assign(gas="CO2"),
            "ef_row": m["ef_row"].to_numpy()}
