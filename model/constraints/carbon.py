r"""Carbon intensity and carbon dual control (ids ``carbon_intensity`` and ``carbon_cap``).

With C[y] the account ``co2_total`` (万t CO2 on the target boundary) and GDP[y] in 亿元::

    C[T] - K_T * GDP[T]/GDP[base] * C[base] <= 0,  K_T = prod_{periods <= T} (1 + r)
                                                                      (carbon_intensity)
    C[y] <= cap[Y]   for every model year y >= Y until the next listed year     (carbon_cap)

Intensity targets chain from the required value of the period before (the base year is
statistics), in every year on the geometric path with ``targets.intensity_path: yearly``; a cap
by Y persists unless listed in ``only``.

The same row shapes as energy dual control, applied to CO2 — the direction national policy is
moving (碳排放双控). Shadow prices: CNY per t CO2.
"""

from __future__ import annotations

from peakpath.core.context import Context


def add(ctx: Context) -> None:
    t = ctx.settings["targets"]
    co2 = ctx.ledger["co2_total"]
    if t.get("carbon_intensity"):
        ctx.targets.add_intensity("carbon_intensity", co2, t["carbon_intensity"],
                                  ctx.md.macro.set_index("year")["gdp"], ctx.md.base_year,
                                  "CNY/t CO2", yearly=t.get("intensity_path") == "yearly")
    if t.get("carbon_cap"):
        ctx.targets.add_cap("carbon_cap", co2, t["carbon_cap"], "CNY/t CO2", ctx.years)
