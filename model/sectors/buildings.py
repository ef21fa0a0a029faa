r"""Buildings (市城建局): standards for new buildings apply only to floor area being built.

A measure whose potential is a share of the floor area added since the base year
(``potential_basis = activity_growth``) cannot build more in a year than that share of the
floor area added in the year::

    build[m,d,y] <= share[m,y] * max(A[s,d,y] - A[s,d,y-1], 0)      (res_new_floor_area)
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from peakpath.core.context import Context
from peakpath.core.frames import key_cols, merge, numbered


def add(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    k = ctx.b.memo("new_floor_area", NewAreaInputs(
        led.build.index, key_cols(md.measures, ["measure", "sector", "potential_basis"]),
        md.sector_ids(group="buildings"), key_cols(md.activity, ["sector", "district", "year"]),
        key_cols(md.potential_input, ["measure", "year"])), new_area_rows)
    if "rows" not in k:
        return
    share = md.potential_input["value"].to_numpy(float)[k["share_row"]]
    ub = md.activity_added(ctx.b.lookups)[k["activity_row"]] * share
    ctx.b.add_rows("res_new_floor_area", k["rows"], [led.build.terms(k["rows"])], ub=ub,
                   unit="万m2", doc="new-building standards only for floor area built that year")


@dataclass(frozen=True)
class NewAreaInputs:
    build: pd.DataFrame  # measure, district, year of the build block
    measures: pd.DataFrame  # measure, sector, potential_basis of md.measures
    sectors: list[str]  # the buildings sectors
    activity: pd.DataFrame  # sector, district, year of md.activity, in its row order
    potential_input: pd.DataFrame  # measure, year of md.potential_input, in its row order


def new_area_rows(k: NewAreaInputs) -> dict[str, object]:
    """``rows``: each build of a new-building measure, with the activity row of its sector,
    district and year (``activity_row``) and the row of its share (``share_row``). The
    new-building measures: buildings measures whose potential is a share of the floor area
    added (``potential_basis = activity_growth``)."""
    m = k.measures
    new_area = m.loc[(m["potential_basis"] == "activity_growth") & m["sector"].isin(k.sectors),
                     ["measure", "sector"]]
    idx = k.build[k.build["measure"].isin(new_area["measure"])]
    if idx.empty:
        return {}
    f = merge(idx, new_area, on="measure")
    f = merge(f, numbered(k.activity, "activity_row"),
              on=["sector", "district", "year"])
    f = merge(f, numbered(k.potential_input, "share_row"),
              on=["measure", "year"])
    return {"rows": f[["measure", "district", "year"]],
            "activity_row": f["activity_row"].to_numpy(), "share_row": f["share_row"].to_numpy()}
