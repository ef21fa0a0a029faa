r"""Transport (市交通运输局): vehicles are replaced only as the fleet turns over.

Vehicle measures in transport sectors whose potential is a share of the fleet
(``potential_basis = activity_share``, measure unit = the sector's vehicle unit) compete for the
vehicles bought each year: those replacing retired vehicles plus fleet growth::

    sum_{m in s} build[m,d,y] <= A[s,d,y] / L_s + max(A[s,d,y] - A[s,d,y-1], 0)
                                                                     (res_fleet_turnover)

with L_s the shortest lifetime among the sector's vehicle measures (a vehicle replaced by an
electric one is one that would have been replaced anyway).
"""

from __future__ import annotations

from peakpath.core.context import Context
from peakpath.core.frames import merge


def add(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    meas = md.measures
    fleet = meas[(meas["potential_basis"] == "activity_share")
                 & meas["sector"].isin(md.sector_ids(group="transport"))]
    idx = merge(led.build.index, fleet[["measure", "sector"]], on="measure")
    if idx.empty:
        return
    life = fleet.groupby("sector")["lifetime"].min()
    a = md.activity.sort_values("year")
    a = a.assign(added=a.groupby(["sector", "district"])["value"].diff().clip(lower=0.0))
    rows = merge(idx[["sector", "district", "year"]].drop_duplicates(), a,
                 on=["sector", "district", "year"])
    ub = rows["value"] / rows["sector"].map(life) + rows["added"]
    ctx.b.add_rows("res_fleet_turnover", rows[["sector", "district", "year"]],
                   [led.build.terms(idx)], ub=ub.to_numpy(float), unit="万辆",
                   doc="vehicle replacements and fleet growth bound new vehicle builds")
