"""Batch files without solving: the first N draws of a Monte Carlo batch are the draws, ids and
chunks the full batch starts with."""

from __future__ import annotations

import pytest

from peakpath.analysis.batch import TAIL_WORKERS, chunk_bounds, load_batch
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


def test_chunks_shrink_towards_the_end_so_workers_finish_together():
    """Guided chunk sizes: full chunks while 2 x TAIL_WORKERS of them remain, then
    ceil(remaining / (2 x TAIL_WORKERS)), never below chunk // 5; the bounds tile the batch."""
    bounds = chunk_bounds(500, 25)
    sizes = [n for _, n in bounds]
    assert [start for start, _ in bounds] == [sum(sizes[:i]) for i in range(len(sizes))]
    assert sum(sizes) == 500 and max(sizes) == 25
    assert sizes == sorted(sizes, reverse=True)  # never grows again
    assert min(sizes[:-1]) == 5  # chunk // 5; only the remainder may be smaller
    # hand-computed: 13 full chunks leave 175 variants, the first cut is ceil(175 / 8) = 22
    assert sizes[12:15] == [25, 22, 20]
    assert 2 * TAIL_WORKERS == 8
    # the shipped Monte Carlo's chunks follow them
    full = load_batch(RUNS / "wuhan-mc.yaml")
    assert [len(c) for c in full.chunks()] == sizes
    assert chunk_bounds(3, 25) == [(0, 3)] and chunk_bounds(0, 25) == []
    assert [n for _, n in chunk_bounds(4, 1)] == [1, 1, 1, 1]


def test_a_batch_without_draws_is_unchanged_by_first_draws():
    sweep = load_batch(RUNS / "wuhan-sweep-peak.yaml")
    assert [v.id for v in sweep.first_draws(1).variants] == [v.id for v in sweep.variants]


def test_a_choice_draws_its_values_with_their_weights():
    import numpy as np

    from peakpath.analysis.sampling import check_parameters, ppf

    p = {"dist": "choice", "values": [2025, 2030, 2035], "weights": [0.5, 0.3, 0.2]}
    assert check_parameters(p) is None
    # by hand: u below 0.5 -> 2025, below 0.8 -> 2030, else 2035
    u = np.array([0.0, 0.49, 0.5, 0.79, 0.8, 0.999])
    assert ppf(p, u).tolist() == [2025, 2025, 2030, 2030, 2035, 2035]
    assert "add up to 1" in check_parameters({**p, "weights": [0.5, 0.3, 0.3]})
    assert "one per value" in check_parameters({**p, "weights": [0.5, 0.5]})


def test_a_whole_number_column_can_be_set_but_not_scaled(wuhan):
    from peakpath.errors import InputError
    from peakpath.io.inputs import apply_overrides
    from tests.conftest import make_scenario

    ov = {"table": "efficiency", "where": {"fuel": "electricity"}, "column": "end_year"}
    data = apply_overrides(wuhan, make_scenario({"overrides": [{**ov, "set": 2030.0}]}))
    eff = data["efficiency"]
    assert (eff.loc[eff["fuel"] == "electricity", "end_year"] == 2030).all()
    for bad, said in (({**ov, "scale": 1.2}, "that can be scaled"),
                      ({**ov, "set": 2030.5}, "whole numbers")):
        with pytest.raises(InputError) as e:
            apply_overrides(wuhan, make_scenario({"overrides": [bad]}))
        assert said in e.value.report()
