"""Batch files without solving: the first N draws of a Monte Carlo batch are the draws, ids and
chunks the full batch starts with."""

from __future__ import annotations

from peakpath.analysis.batch import load_batch
from tests.conftest import RUNS


def test_first_draws_are_the_start_of_the_full_batch():
    full = load_batch(RUNS / "wuhan-mc.yaml")
    part = full.first_draws(30)
    assert [v.id for v in part.variants] == [f"mc{i:04d}" for i in range(30)]
    same = {v.id: v for v in full.variants}
    for v in part.variants:
        assert v.overrides == same[v.id].overrides and v.chunk == same[v.id].chunk
    assert len(full.variants) == 500  # the full batch is untouched
    assert [len(c) for c in part.chunks()] == [25, 5]


def test_a_batch_without_draws_is_unchanged_by_first_draws():
    sweep = load_batch(RUNS / "wuhan-sweep-peak.yaml")
    assert [v.id for v in sweep.first_draws(1).variants] == [v.id for v in sweep.variants]
