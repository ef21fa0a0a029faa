r"""Industry (市经信局): non-energy use of feedstock (原料用能).

Part of some sectors' fuel (naphtha for ethylene, coal and gas for chemicals) is feedstock: it
ends up in products, is not burned and emits no CO2 where it is used. With the feedstock share
fs[s,f] (feedstock.csv)::

    emissions[s,CO2,d,y] -= EF[f,y] * fs[s,f] * energy[s,f,d,y]
    energy_total[y]      -= fs[s,f] * energy[s,f,d,y]     (only if accounting.exclude_feedstock)

The feedstock stays in fuel_use (coal cap, oil peak) and in primary_energy_ce.
"""

from __future__ import annotations

from model.context import Context


def add(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    fs = md.feedstock
    if fs.empty:
        return
    energy = led["energy"]
    f = energy.index.merge(fs[["sector", "fuel", "share"]], on=["sector", "fuel"])
    burned = f.merge(md.emission_factor.rename(columns={"value": "ef"}), on=["fuel", "year"])
    led["emissions"].add(energy.terms(burned.assign(gas="CO2"),
                                      -(burned["ef"] * burned["share"]).to_numpy()))
    if md.scenario.accounting["exclude_feedstock"]:
        led["energy_total"].add(energy.terms(f, -f["share"].to_numpy()))
