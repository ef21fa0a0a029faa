from model.run import run_scenario
from tests.conftest import shipped


def test_default_scenario_solves_and_peaks_by_2022(wuhan):
    res = run_scenario(shipped("wuhan-peak-2022"), wuhan, isolate=False)
    assert res.status == "optimal"
    co2 = res.dataset["co2_total"].to_series()
    assert (co2.loc[2023:] <= co2.loc[2022] + 1e-6).all()
