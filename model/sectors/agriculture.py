r"""Agriculture (市农业农村局): methane and nitrous oxide.

Rice paddies, livestock and fertiliser emit CH4 and N2O (mass of the gas, 万t). They count in
the target total as CO2e only when the scenario lists the gas in
``accounting.target_gases``; otherwise they are reported beside the CO2 targets::

    co2_total[y] += sum_{g in target_gases, g != CO2} GWP100[g] * sum_{s,d} emissions[s,g,d,y]

(In the default dataset only agriculture emits CH4 and N2O; the rule applies to any sector.)
"""

from __future__ import annotations

from peakpath.core.context import Context


def add(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    em = led["emissions"]
    gases = [g for g in md.scenario.accounting["target_gases"] if g != "CO2"]
    f = em.index[em.index["gas"].isin(gases)]
    if f.empty:
        return
    led["co2_total"].add(em.terms(f, f["gas"].map(md.gwp).to_numpy(float)))
