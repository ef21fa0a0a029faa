"""What every sector and constraint module receives: the builder, the shared accounts, the
derived data and the target registry. Modules depend on this, never on each other."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peakpath.core.algebra import Builder
from peakpath.core.baseline import ModelData
from peakpath.core.ledger import Ledger
from peakpath.core.targets import TargetRegistry


@dataclass
class Context:
    b: Builder
    ledger: Ledger
    md: ModelData
    targets: TargetRegistry
    #: objective coefficient per builder column, set by `peakpath.core.objective`
    cost: np.ndarray | None = None

    @property
    def years(self) -> list[int]:
        return self.md.years

    @property
    def settings(self) -> dict:
        return self.md.scenario.settings
