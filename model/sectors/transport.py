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

from dataclasses import dataclass

import pandas as pd

from peakpath.core.context import Context
from peakpath.core.frames import key_cols, merge, numbered


def add(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    k = ctx.b.memo("fleet", FleetInputs(
        led.build.index,
        key_cols(md.measures, ["measure", "sector", "lifetime", "potential_basis"]),
        md.sector_ids(group="transport"), key_cols(md.activity, ["sector", "district", "year"])),
        fleet_rows)
    if "rows" not in k:
        return
    row = k["activity_row"]
    added = md.activity_added(ctx.b.lookups)
    ub = md.activity["value"].to_numpy(float)[row] / k["life"] + added[row]
    ctx.b.add_rows("res_fleet_turnover", k["rows"], [led.build.terms(k["terms"])], ub=ub,
                   unit="万辆",
                   doc="vehicle replacements and fleet growth bound new vehicle builds")


@dataclass(frozen=True)
class FleetInputs:
    build: pd.DataFrame  # measure, district, year of the build block
    measures: pd.DataFrame  # measure, sector, lifetime, potential_basis of md.measures
    sectors: list[str]  # the transport sectors
    activity: pd.DataFrame  # sector, district, year of md.activity, in its row order


def fleet_rows(k: FleetInputs) -> dict[str, object]:
    """``terms``: the builds of vehicle measures with their sector; ``rows``: the (sector,
    district, year) they compete in, with the activity row (``activity_row``) and the
    sector's shortest vehicle lifetime L_s (``life``) of each. The vehicle measures:
    transport measures whose potential is a share of the fleet (``potential_basis =
    activity_share``)."""
    m = k.measures
    fleet = m[(m["potential_basis"] == "activity_share") & m["sector"].isin(k.sectors)]
    idx = merge(k.build, fleet[["measure", "sector"]], on="measure")
    if idx.empty:
        return {}
    life = fleet.groupby("sector")["lifetime"].min()
    rows = merge(idx[["sector", "district", "year"]].drop_duplicates(),
                 numbered(k.activity, "activity_row"),
                 on=["sector", "district", "year"])
    return {"terms": idx, "rows": rows[["sector", "district", "year"]],
            "activity_row": rows["activity_row"].to_numpy(),
            "life": rows["sector"].map(life).to_numpy(float)}
