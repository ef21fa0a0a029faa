r"""Buildings (市城建局): standards for new buildings apply only to floor area being built.

A measure whose potential is a share of the floor area added since the base year
(``potential_basis = activity_growth``) cannot build more in a year than that share of the
floor area added in the year::

    build[m,d,y] <= share[m,y] * max(A[s,d,y] - A[s,d,y-1], 0)      (res_new_floor_area)
"""

from __future__ import annotations

from peakpath.core.context import Context
from peakpath.core.frames import merge


def add(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    meas = md.measures
    new_area = meas[(meas["potential_basis"] == "activity_growth")
                    & meas["sector"].isin(md.sector_ids(group="buildings"))]
    idx = led.build.index[led.build.index["measure"].isin(new_area["measure"])]
    if idx.empty:
        return
    a = md.activity.sort_values("year")
    a = a.assign(added=a.groupby(["sector", "district"])["value"].diff().clip(lower=0.0))
    f = merge(idx, new_area[["measure", "sector"]], on="measure")
    f = merge(f, a[["sector", "district", "year", "added"]], on=["sector", "district", "year"])
    f = merge(f, md.potential_input.rename(columns={"value": "share"}), on=["measure", "year"])
    ctx.b.add_rows("res_new_floor_area", f[["measure", "district", "year"]],
                   [led.build.terms(f)], ub=(f["added"] * f["share"]).to_numpy(float),
                   unit="万m2", doc="new-building standards only for floor area built that year")
