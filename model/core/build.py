"""InputData + Scenario -> Pyomo model. The one place that knows every module.

The model is assembled in a fixed order: the shared accounts and the measure stock
(`peakpath.core.ledger`), then each sector module (what is particular to its sectors), then each
target family, then the accounts' defining rows, then the objective. Sector and constraint modules
expose ``add(ctx)`` and never import each other."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from peakpath import pyomo_setup
from peakpath.constraints import (
    carbon,
    energy_dual_control,
    fuels,
    peak,
    projects,
    sector_limits,
)
from peakpath.core import objective
from peakpath.core.algebra import Builder, LookupCache
from peakpath.core.baseline import ModelData, derive
from peakpath.core.context import Context
from peakpath.core.ledger import Ledger
from peakpath.core.levels import with_levels
from peakpath.core.targets import TargetRegistry
from peakpath.io.inputs import InputData
from peakpath.io.scenario import Scenario
from peakpath.sectors import (
    agriculture,
    buildings,
    ccus,
    energy_supply,
    industry,
    sinks,
    transport,
)

if TYPE_CHECKING:
    from pyomo.environ import ConcreteModel

SECTOR_MODULES = (energy_supply, industry, buildings, transport, agriculture, sinks, ccus)
CONSTRAINT_MODULES = (peak, energy_dual_control, carbon, fuels, sector_limits, projects)


@dataclass
class BuiltModel:
    model: ConcreteModel | None  # None for an array-mode build
    ctx: Context
    elastic: bool
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def md(self) -> ModelData:
        return self.ctx.md



def build_model(md: ModelData, *, elastic: bool = False, pyomo: bool = True,
                lookups: LookupCache | None = None) -> BuiltModel:
    """Build the Pyomo model of one scenario from its derived data (``pyomo=False``: the same
    build as arrays only, for in-place re-solves and the benchmark floor). ``lookups`` keeps
    the key lookups of one build for the next (`peakpath.core.algebra.LookupCache`)."""
    t0 = time.perf_counter()
    # the build allocates one Pyomo object per variable, row and nonzero and frees few: the
    # cyclic garbage collector's full passes over that growing heap found nothing to free and
    # took ≈ 40 % of the district model's build (Pyomo's writers pause it the same way)
    with pyomo_setup.PauseGC():
        m = pyomo_setup.pyo().ConcreteModel(name=md.scenario.name) if pyomo else None
        b = Builder(m, lookups)
        ledger = Ledger(b, md)
        solver = md.scenario.solver
        ctx = Context(b, ledger, md, TargetRegistry(b, elastic, float(solver["penalty"])))
        for module in SECTOR_MODULES:
            module.add(ctx)
        for module in CONSTRAINT_MODULES:
            module.add(ctx)
        ledger.finalize()
        objective.add(ctx)
    return BuiltModel(m, ctx, elastic, {"build": time.perf_counter() - t0})


def build(data: InputData, scenario: Scenario, *, elastic: bool = False,
          pyomo: bool = True) -> BuiltModel:
    """Derive the scenario's data and build its model (peak levels found first when the
    scenario leaves them open, `peakpath.core.levels`)."""
    t0 = time.perf_counter()
    scenario = with_levels(data, scenario)
    md = derive(data, scenario)
    t1 = time.perf_counter()
    built = build_model(md, elastic=elastic, pyomo=pyomo)
    built.timings["derive"] = t1 - t0
    return built
