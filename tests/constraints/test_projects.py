"""Major projects: in, out and decided by the model."""

import numpy as np
import pytest

from tests.conftest import solve_wuhan


def online(res):
    return res.dataset["project_online"].to_pandas()


def test_out_keeps_every_project_offline(wuhan):
    res = solve_wuhan(wuhan, {"projects": {"default": "out"}})
    assert online(res).to_numpy().sum() == 0


def test_in_brings_a_project_online_from_its_earliest_year(wuhan):
    res = solve_wuhan(wuhan, {"projects": {"default": "out", "ethylene_expansion": "in"}})
    on = online(res)["ethylene_expansion"]
    assert on.loc[:2021].sum() == 0 and (on.loc[2022:] == 1).all()
    out = solve_wuhan(wuhan, {"projects": {"default": "out"}})
    diff = (res.dataset["energy"] - out.dataset["energy"]).sel(
        sector="petrochem", fuel="natural_gas", year=2025).sum()
    assert float(diff) == pytest.approx(16.5, abs=1e-6)


def test_a_year_sets_the_online_year(wuhan):
    res = solve_wuhan(wuhan, {"projects": {"default": "out", "data_center_cluster": 2030}})
    on = online(res)["data_center_cluster"]
    assert on.loc[:2029].sum() == 0 and on.loc[2030] == 1


def test_decide_is_no_worse_than_either_fixed_choice(wuhan):
    tight = {"targets.carbon_cap": {2030: 13000}, "projects": {"default": "out"}}
    out = solve_wuhan(wuhan, tight)
    inn = solve_wuhan(wuhan, {**tight, "projects": {"default": "in"}})
    dec = solve_wuhan(wuhan, {**tight, "projects": {"default": "decide"}})
    best = min(out.solution.objective, inn.solution.objective)
    assert dec.solution.objective <= best * (1 + 1e-6)
    assert set(np.unique(online(dec).to_numpy())) <= {0.0, 1.0}
