r"""Energy dual control, 能耗双控 (ids ``energy_cap`` and ``energy_intensity``).

With E[y] the account ``energy_total`` (万tce, under the scenario's accounting rules: new
renewables and feedstock excluded or not, electricity by the calorific or coal-equivalent
method) and GDP[y] in 亿元 at constant prices::

    E[y] <= cap[y]                                                    (energy_cap)
    E[T] / GDP[T] <= (1 + r_T) * E[T-5] / GDP[T-5]                    (energy_intensity)

for each plan-period end year T with its required change r_T (e.g. -0.135 over 2021–25).
The intensity row is linear because GDP is data: E[T] - (1 + r_T) * GDP[T]/GDP[T-5] * E[T-5]
<= 0. A cap constrains exactly the years listed. Shadow prices: CNY per tce.
"""

from __future__ import annotations

from model.context import Context


def add(ctx: Context) -> None:
    t = ctx.settings["targets"]
    energy = ctx.ledger["energy_total"]
    if t.get("energy_cap"):
        ctx.targets.add_cap("energy_cap", energy, t["energy_cap"], "CNY/tce")
    if t.get("energy_intensity"):
        ctx.targets.add_intensity("energy_intensity", energy, t["energy_intensity"],
                                  ctx.md.macro.set_index("year")["gdp"], "CNY/tce")
