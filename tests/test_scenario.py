"""Scenario files: inheritance, validation by name and line, safe names, safe YAML."""

import pytest

from peakpath.errors import InputError
from peakpath.io.scenario import load_scenario
from tests.conftest import RUNS


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def errors(path):
    with pytest.raises(InputError) as e:
        load_scenario(path)
    return e.value.problems


#: shipped batches and their scenario counts (500 draws; 3 × 3 × 3 sweep)
BATCHES = {"wuhan-mc": 500, "wuhan-sweep-peak": 27}


def test_shipped_scenarios_and_batches_load():
    from peakpath.analysis.batch import load_batch

    for f in RUNS.glob("wuhan-*.yaml"):
        if f.stem in BATCHES:
            assert len(load_batch(f).variants) == BATCHES[f.stem]
            continue
        sc = load_scenario(f)
        assert sc.dataset.is_dir() and sc.name == f.stem


def test_inheritance_merges_replaces_and_deletes(tmp_path):
    write(tmp_path, "base.yaml", f"""name: b
dataset: {RUNS.parent / 'inputs' / 'wuhan'}
targets:
  peak: {{year: 2025, cap: 17000}}
  coal_cap: {{2022: 1950}}
overrides:
  - {{table: prices, where: {{fuel: coal}}, scale: 1.1}}
""")
    child = write(tmp_path, "child.yaml", """name: c
base: base.yaml
targets:
  peak: {cap: 16000}
  coal_cap: null
overrides:
  - {table: prices, where: {fuel: oil}, scale: 0.9}
""")
    sc = load_scenario(child)
    assert sc.targets["peak"] == {"year": 2025, "cap": 16000}
    assert "coal_cap" not in sc.targets
    assert [o["where"]["fuel"] for o in sc.settings["overrides"]] == ["coal", "oil"]
    assert sc.accounting["target_gases"] == ["CO2"]  # defaults are replaced, not appended
    assert len(sc.chain) == 2


def test_unknown_key_is_named_with_its_line(tmp_path):
    p = write(tmp_path, "s.yaml", """name: s
dataset: x
targets:
  peak: {year: 2025}
  peek_cap: {2025: 1}
solver:
  thread: 2
""")
    ps = errors(p)
    keys = {(q.column, q.row) for q in ps if q.rule == "unknown-key"}
    assert ("targets.peek_cap", 5) in keys and ("solver.thread", 7) in keys


@pytest.mark.parametrize("name", ["../escape", "a/b", "/abs", ".hidden", "x..y", ""])
def test_names_that_would_escape_results_are_refused(tmp_path, name):
    p = write(tmp_path, "s.yaml", f"name: '{name}'\ndataset: x\n")
    assert any(q.rule == "name" for q in errors(p))


def test_yaml_is_loaded_safely(tmp_path):
    p = write(tmp_path, "s.yaml", "name: !!python/object/apply:os.system ['echo hi']\n")
    (q,) = errors(p)
    assert q.rule == "yaml"


def test_bad_values_are_reported_together(tmp_path):
    p = write(tmp_path, "s.yaml", """name: s
dataset: .
discount_rate: 2
targets:
  peak: {year: 1999}
  energy_intensity: {2022: -0.1}
  non_fossil_share: {2025: 1.5}
  intensity_path: monthly
accounting: {electricity: joules}
projects: {default: maybe}
""")
    cols = {q.column for q in errors(p)}
    assert {"discount_rate", "targets.peak.year", "targets.energy_intensity.2022",
            "targets.non_fossil_share.2025", "targets.intensity_path", "accounting.electricity",
            "projects.default"} <= cols


def test_base_cycle_is_an_error(tmp_path):
    write(tmp_path, "a.yaml", "name: a\nbase: b.yaml\n")
    b = write(tmp_path, "b.yaml", "name: b\nbase: a.yaml\n")
    assert any(q.rule == "base" for q in errors(b))


def test_a_year_in_a_setting_path_is_a_year_key():
    """``targets.energy_intensity.2025`` changes the 2025 target (it made a text key '2025',
    refused as "not a year")."""
    sc = load_scenario(RUNS / "wuhan-peak-2030.yaml")
    other = sc.with_settings({"targets.energy_intensity.2025": -0.12,
                              "carbon_price.2030": 100.0})
    assert other.targets["energy_intensity"][2025] == -0.12
    assert other.settings["carbon_price"] == {2030: 100.0}
    assert all(isinstance(k, int) for k in other.targets["energy_intensity"])


def test_with_settings_changes_the_dataset_it_solves(tmp_path, monkeypatch):
    """The dataset a copy is solved on is the one its settings name (it had kept the
    original's while the settings said otherwise)."""
    sc = load_scenario(RUNS / "wuhan-peak-2022.yaml")
    monkeypatch.chdir(tmp_path)
    other = sc.with_settings({"dataset": "elsewhere"})
    assert other.dataset == tmp_path / "elsewhere" and sc.dataset != other.dataset
    assert other.settings["dataset"] == str(tmp_path / "elsewhere")
    for bad, rule in (({"dataset": 3}, "type"), ({"base": "x.yaml"}, "fixed")):
        with pytest.raises(InputError) as e:
            sc.with_settings(bad)
        assert [(p.column, p.rule) for p in e.value.problems] == [(next(iter(bad)), rule)]


def test_with_settings_changes_a_copy_and_the_digest():
    sc = load_scenario(RUNS / "wuhan-peak-2022.yaml")
    other = sc.with_settings({"targets.peak.year": 2025})
    assert other.targets["peak"]["year"] == 2025 and sc.targets["peak"]["year"] == 2022
    assert other.digest() != sc.digest()
    with pytest.raises(InputError):
        sc.with_settings({"targets.peak.year": 1900})


def test_overlapping_plan_periods_on_a_yearly_path_are_refused(tmp_path):
    # 2021–25 and 2024–28 share 2024 and 2025: on a yearly path each year has one row
    p = write(tmp_path, "s.yaml", f"""name: s
base: {RUNS / "wuhan-current-policy.yaml"}
targets:
  intensity_path: yearly
  energy_intensity: {{2025: -0.135, 2028: -0.05}}
""")
    (q,) = errors(p)
    assert q.column == "targets.energy_intensity.2028" and q.rule == "range"
    assert "overlap" in q.message
    p.write_text(p.read_text(encoding="utf-8").replace("  intensity_path: yearly\n", ""),
                 encoding="utf-8")
    assert load_scenario(p).targets["energy_intensity"] == {2025: -0.135, 2028: -0.05}
