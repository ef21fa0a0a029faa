"""The decision commands end to end: allocate, projects, recommend."""

from __future__ import annotations

from peakpath.cli.main import main


def test_commands_write_their_outputs(peak_dir, tmp_path, capsys):
    d = str(peak_dir)
    assert main(["allocate", d, "--rule", "equal-intensity", "--out", str(tmp_path / "a")]) == 0
    assert (tmp_path / "a" / "targets_districts.csv").exists()
    assert (tmp_path / "a" / "workbooks" / "bureau_industry.xlsx").exists()
    assert main(["projects", d, "--projects", "steel_rolling_upgrade"]) == 0
    assert (peak_dir / "projects" / "projects.csv").exists()
    assert main(["recommend", d]) == 0
    md = (peak_dir / "recommendations.md").read_text(encoding="utf-8")
    assert md.startswith("# 政策建议 Policy recommendations")
    out = capsys.readouterr().out
    assert "Check" in out and "projects.csv" in out


def test_user_errors_exit_2_without_traceback(peak_dir, tmp_path, capsys):
    assert main(["allocate", str(peak_dir), "--rule", "cheapest"]) == 2
    assert main(["recommend", str(tmp_path)]) == 2
    assert main(["projects", str(peak_dir), "--projects", "nope"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "cheapest" in err and "results.nc" in err
