r"""Carbon sinks (市园林林业局): forests and wetlands remove CO2.

Sink sectors carry negative CO2 (existing area × removal rate, plus afforestation and wetland
restoration measures). They are outside scope 1 and, when ``accounting.count_sinks`` is true,
are netted in the target boundary::

    co2_total[y] += sum_{s in sinks, d} emissions[s,CO2,d,y]      (a negative number)
"""

from __future__ import annotations

from peakpath.core.context import Context


def add(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    if not md.scenario.accounting["count_sinks"]:
        return
    em = led["emissions"]
    f = em.index[(em.index["gas"] == "CO2") & em.index["sector"].isin(md.sector_ids(role="sink"))]
    led["co2_total"].add(em.terms(f))
