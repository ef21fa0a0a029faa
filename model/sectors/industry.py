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

from peakpath.core.context import Context
from peakpath.core.frames import merge


def add(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    fs = led["feedstock"]
    if fs.index.empty:
        return
    burned = merge(fs.index, md.emission_factor.rename(columns={"value": "ef"}),
                   on=["fuel", "year"])
    led["emissions"].add(fs.terms(burned.assign(gas="CO2"), -burned["ef"].to_numpy()))
    if md.scenario.accounting["exclude_feedstock"]:
        led["energy_total"].add(fs.terms(fs.index, -1.0))
