"""Regression figures of the shipped scenarios.

Objective (万元, present value) to 1e-5 relative: the scenarios solve their MIPs to a relative
gap of 1e-6, so two correct solves differ by at most ~1e-6; 1e-5 leaves room for a different
HiGHS build. Row and column counts are of the compiled LP handed to HiGHS (ranged rows merged).

Change log — one line per change of an expected number, newest last:
- initial figures (core model, dataset calibrated to CEADs 2019 −6.9 %).
"""

import pytest

from model.run import run_scenario
from tests.conftest import shipped

EXPECTED = {
    # name: (objective 万元, rows, columns, nonzeros, integer columns)
    "wuhan-baseline": (115681018.988, 2612, 3179, 13147, 189),
    "wuhan-peak-2022": (115786532.462, 2630, 3179, 13180, 189),
    "wuhan-peak-2030": (115806000.933, 2634, 3179, 13191, 189),
    "wuhan-stretch": (128287056.838, 2640, 3179, 13196, 189),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shipped_scenario_regression(wuhan, name):
    res = run_scenario(shipped(name), wuhan, isolate=False)
    obj, rows, cols, nnz, ints = EXPECTED[name]
    s = res.solution.solver
    assert res.status == "optimal"
    assert (s["rows"], s["columns"], s["nonzeros"], s["integer_columns"]) == (rows, cols, nnz,
                                                                             ints)
    assert res.solution.objective == pytest.approx(obj, rel=1e-5)


def test_targets_cost_money_in_order(wuhan):
    objs = {n: run_scenario(shipped(n), wuhan, isolate=False).solution.objective
            for n in ("wuhan-baseline", "wuhan-peak-2022", "wuhan-stretch")}
    assert objs["wuhan-baseline"] < objs["wuhan-peak-2022"] < objs["wuhan-stretch"]
