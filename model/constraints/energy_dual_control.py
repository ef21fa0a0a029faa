r"""Energy dual control, 能耗双控 (ids ``energy_cap`` and ``energy_intensity``).

With E[y] the account ``energy_total`` (万tce, under the scenario's accounting rules: new
renewables and feedstock excluded or not, electricity by the calorific or coal-equivalent
method) and GDP[y] in 亿元 at constant prices::

    E[y] <= cap[Y]      for every model year y >= Y until the next listed year   (energy_cap)
    E[T] / GDP[T] <= K_T * E[base] / GDP[base],  K_T = prod_{periods <= T} (1 + r)
                                                                          (energy_intensity)

for each plan-period end year T with its required change r_T (e.g. -0.135 over 2021–25): each
period's target chains from the *required* intensity of the period before, never from a model
year the optimiser could inflate, and the base year is statistics (it carries no decisions).
The intensity row is linear because GDP is data. With ``targets.intensity_path: yearly`` every
year S+j of a period (S = T - 5) has the row with K_S * (1 + r_T)^(j/5) in place of K_T (annual
assessment on the geometric path). A cap "by Y" holds from Y on; a scenario binds
a cap in its year alone with ``only: [Y]``. Shadow prices: CNY per tce.
"""

from __future__ import annotations

from peakpath.core.context import Context


def add(ctx: Context) -> None:
    t = ctx.settings["targets"]
    energy = ctx.ledger["energy_total"]
    if t.get("energy_cap"):
        ctx.targets.add_cap("energy_cap", energy, t["energy_cap"], "CNY/tce", ctx.years)
    if t.get("energy_intensity"):
        ctx.targets.add_intensity("energy_intensity", energy, t["energy_intensity"],
                                  ctx.md.macro.set_index("year")["gdp"], ctx.md.base_year,
                                  "CNY/tce", yearly=t.get("intensity_path") == "yearly")
