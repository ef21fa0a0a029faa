"""Scenario files (YAML): targets, accounting rules, overrides of input tables, project
decisions and solver options.

A scenario may inherit from another with ``base:``. Inheritance merges mappings key by key, appends
lists (``overrides``, ``targets.limits``) and deletes a key set to ``null``, so a child states only
what it changes. Paths are relative to the file that names them. Unknown keys are errors that name
the key, the file and the line. YAML is loaded strictly (`peakpath.io.yamlio`: no duplicate keys,
anchors or aliases, UTF-8 only, bounded depth); the shape of the settings is checked by pydantic
models (`peakpath.io.filemodels`, imported only when a scenario is validated), the rules that join
several keys here."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peakpath.errors import InputError, Problem, line_of

TARGET_FAMILIES = ("peak", "energy_intensity", "energy_cap", "carbon_intensity", "carbon_cap",
                   "coal_cap", "oil_peak_year", "oil_peak_level", "non_fossil_share", "limits")
#: caps and floors: a limit "by year Y" holds from Y on unless Y is listed in ``only``
CAP_FAMILIES = ("energy_cap", "carbon_cap", "coal_cap", "non_fossil_share")
LIMIT_QUANTITIES = ("co2", "energy", "coal", "gas", "oil", "investment")

DEFAULTS: dict[str, Any] = {
    "years": {"base": 2020, "start": 2021, "end": 2035},
    "discount_rate": 0.06,
    "gwp": {"CH4": 28.0, "N2O": 265.0},  # AR5 GWP100 [R] (reference §3.4)
    "districts": False,
    "targets": {},
    "accounting": {
        "exclude_new_renewables": True,
        "exclude_feedstock": True,
        "electricity": "equivalent",
        "count_sinks": True,
        "target_gases": ["CO2"],
        "coal_fuels": ["coal", "coke"],
    },
    "carbon_price": {},
    "projects": {"default": "decide"},
    "overrides": [],
    "solver": {"mip_rel_gap": 1e-6, "time_limit": 600.0, "threads": 1, "method": "simplex",
               "elastic": False, "penalty": 1e5, "isolate": True},
}


@dataclass
class Scenario:
    """A resolved, validated scenario. ``settings`` is the merged mapping (defaults included);
    typed accessors below read it."""

    name: str
    path: Path
    dataset: Path
    settings: dict[str, Any]
    chain: list[Path] = field(default_factory=list)
    #: where each key of the settings was written: path -> (file, line) (empty when the
    #: settings did not come from files); located messages about overrides use it
    origins: dict[tuple, tuple[str, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        """Load a scenario file: ``base:`` inheritance resolved, every key validated (an
        `InputError` locates each problem). Same as `load_scenario`."""
        return load_scenario(path)

    # --- typed accessors -----------------------------------------------------------------
    @property
    def base_year(self) -> int:
        return int(self.settings["years"]["base"])

    @property
    def years(self) -> list[int]:
        y = self.settings["years"]
        return list(range(int(y["start"]), int(y["end"]) + 1))

    @property
    def discount_rate(self) -> float:
        return float(self.settings["discount_rate"])

    @property
    def targets(self) -> dict[str, Any]:
        return self.settings["targets"]

    @property
    def accounting(self) -> dict[str, Any]:
        return self.settings["accounting"]

    @property
    def solver(self) -> dict[str, Any]:
        return self.settings["solver"]

    def digest(self) -> str:
        """Hash of the resolved settings (paths excluded, dataset hashed separately)."""
        s = {k: v for k, v in self.settings.items() if k not in ("dataset", "base")}
        return hashlib.sha256(json.dumps(_str_keys(s), sort_keys=True,
                                         default=str).encode()).hexdigest()

    def with_settings(self, changes: dict[str, Any]) -> Scenario:
        """A copy with dotted-path settings changed (``{"targets.peak.year": 2025}``).

        A value replaces what the path holds: a list (``targets.limits``, ``overrides``)
        replaces the whole list, inherited entries included, unlike a child scenario file,
        which appends. To add a limit, pass the scenario's list with the new entry.
        ``dataset`` names another dataset folder (a relative path is taken from the current
        directory); ``base`` cannot change, since inheritance is resolved when a file is
        loaded."""
        settings = copy.deepcopy(self.settings)
        problems = []
        dataset = self.dataset
        for dotted, value in changes.items():
            if dotted == "base":
                problems.append(Problem(str(self.path), None, "base", "fixed",
                                        "'base' is resolved when the scenario file is loaded "
                                        "and cannot be changed afterwards: write a scenario "
                                        "file with that base", "base 仅在读取情景文件时生效"))
                continue
            if dotted == "dataset":
                if not isinstance(value, (str, Path)) or not str(value):
                    problems.append(Problem(str(self.path), None, "dataset", "type",
                                            f"expected the path of a dataset folder, got "
                                            f"{value!r}", "应为数据集文件夹路径"))
                    continue
                dataset = Path(value).resolve()
                value = str(dataset)
            try:
                set_dotted(settings, dotted, value)
            except TypeError as e:
                problems.append(Problem(str(self.path), None, dotted, "path", str(e),
                                        "设置路径经过了非映射的值"))
        if problems:
            raise InputError(problems)
        problems = validate_settings(settings, str(self.path), {})
        if problems:
            raise InputError(problems)
        return Scenario(settings["name"], self.path, dataset, settings, list(self.chain),
                        dict(self.origins))

    def where(self, path: tuple) -> tuple[str, int | None]:
        """The file and line where the setting at ``path`` (or its nearest parent) was
        written; the scenario file and no line when it was not read from a file."""
        while path:
            if path in self.origins:
                return self.origins[path]
            path = path[:-1]
        return str(self.path), None


def _str_keys(x: Any) -> Any:
    """Mappings with string keys (a cap mapping mixes years and ``only``), for sorted JSON."""
    if isinstance(x, dict):
        return {str(k): _str_keys(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_str_keys(v) for v in x]
    return x


def set_dotted(d: dict, dotted: str, value: Any) -> None:
    """Set ``d["a"]["b"] = value`` for ``"a.b"``, making missing mappings; a TypeError names
    the part that is not a mapping. A part of digits is a year, kept as a number as YAML keeps
    ``2025:`` (``targets.energy_intensity.2025``)."""
    keys = [int(k) if k.isdigit() else k for k in dotted.split(".")]
    for i, k in enumerate(keys[:-1]):
        d = d.setdefault(k, {})
        if not isinstance(d, dict):
            part = ".".join(map(str, keys[:i + 1]))
            raise TypeError(f"'{part}' is {_kind(d)}, not a mapping, so '{dotted}' cannot be set")
    d[keys[-1]] = value


def _kind(v: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text",
            list: "a list"}.get(type(v), type(v).__name__)


# --------------------------------------------------------------------------------------------
# loading


def load_scenario(path: str | Path) -> Scenario:
    """Load a scenario file, resolve ``base:`` inheritance and validate every key."""
    path = Path(path)
    chain: list[Path] = []
    merged, origins, dataset = _load_chain(path, chain)
    settings = merge(copy.deepcopy(DEFAULTS), merged)
    lines = {k: line for k, (_f, line) in origins.items()}
    files = {k: f for k, (f, _line) in origins.items()}
    problems = validate_settings(settings, str(path), lines, files)
    if dataset is None:
        problems.append(Problem(str(path), None, "dataset", "required",
                                "no dataset: name one with 'dataset:' (here or in a base)",
                                "未指定数据集"))
    if problems:
        raise InputError(problems)
    settings["dataset"] = str(dataset)
    return Scenario(settings["name"], path, dataset, settings, chain, origins)


def _read_yaml(path: Path) -> tuple[dict, dict[tuple, int]]:
    from peakpath.io.yamlio import read_yaml

    data, lines = read_yaml(path, "scenario file", "情景文件")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError([Problem(str(path), 1, None, "yaml",
                                  "a scenario file must be a mapping of keys to values",
                                  "情景文件须为键值映射")])
    return data, lines


def _load_chain(path: Path, chain: list[Path]
                ) -> tuple[dict, dict[tuple, tuple[str, int]], Path | None]:
    """The settings of ``path`` merged over its bases, where each key was written (file,
    line), and the dataset."""
    path = path.resolve()
    if path in chain:
        raise InputError([Problem(str(path), None, "base", "base",
                                  "scenario inherits from itself (a 'base:' cycle)",
                                  "情景继承出现循环")])
    chain.append(path)
    data, lines = _read_yaml(path)
    origins = {k: (str(path), line) for k, line in lines.items()}
    dataset = None
    if isinstance(data.get("dataset"), str):
        dataset = (path.parent / data["dataset"]).resolve()
    base = data.get("base")
    if base is not None and not isinstance(base, str):
        raise InputError([Problem(str(path), lines.get(("base",)), "base", "type",
                                  f"base must name a scenario file; got {base!r}",
                                  "base应为情景文件名")])
    if base:
        if (path.parent / base).resolve() in chain:
            raise InputError([Problem(str(path), lines.get(("base",)), "base", "base",
                                      f"scenario inherits from itself (a 'base:' cycle: "
                                      f"{' -> '.join(c.name for c in chain)} -> {base})",
                                      "情景继承出现循环")])
        parent, porigins, pdataset = _load_chain(path.parent / base, chain)
        merged = merge(parent, {k: v for k, v in data.items() if k != "base"})
        return merged, {**porigins, **_shift_appended(origins, parent)}, dataset or pdataset
    return data, origins, dataset


def _shift_appended(origins: dict[tuple, Any], parent: dict) -> dict[tuple, Any]:
    """A child's locations with the items of appended lists numbered after the parent's."""
    out = {}
    for key, where in origins.items():
        for lst in APPENDED_LISTS:
            n = len(lst)
            if key[:n] == lst and len(key) > n and isinstance(key[n], int):
                have = parent
                for k in lst:
                    have = have.get(k) if isinstance(have, dict) else None
                if isinstance(have, list):
                    key = (*lst, key[n] + len(have), *key[n + 1:])
        out[key] = where
    return out


#: lists that a child scenario extends; every other value (lists included) is replaced
APPENDED_LISTS = {("overrides",), ("targets", "limits")}


def merge(base: dict, child: dict, _path: tuple = ()) -> dict:
    """Merge ``child`` into ``base``: mappings recursively, ``overrides`` and
    ``targets.limits`` appended, other values replaced, ``None`` deletes."""
    out = dict(base)
    for k, v in child.items():
        path = (*_path, k)
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v, path)
        elif path in APPENDED_LISTS and isinstance(out.get(k), list) and isinstance(v, list):
            out[k] = out[k] + v
        else:
            out[k] = v
    return out


# --------------------------------------------------------------------------------------------
# validation


def validate_settings(s: dict, file: str, lines: dict[tuple, int],
                      files: dict[tuple, str] | None = None) -> list[Problem]:
    """Every problem of merged settings ``s``: their shape by the pydantic models of
    `peakpath.io.filemodels`, then the rules that join keys, on the parts whose shape is right.
    ``lines`` and ``files`` place each key (``files`` where a base scenario set it)."""
    from peakpath.io.filemodels import validate_scenario_settings

    problems: list[Problem] = []

    def bad(path: tuple, rule: str, msg: str, hint: str = "") -> None:
        problems.append(Problem(_located(files or {}, path, file), line_of(lines, path),
                                ".".join(map(str, path)), rule, msg, hint))

    flagged = validate_scenario_settings(s, bad)
    _check_joined(s, flagged, bad)
    return problems


def _located(files: dict[tuple, str], path: tuple, default: str) -> str:
    while path:
        if path in files:
            return files[path]
        path = path[:-1]
    return default


def _clean(flagged: set[tuple], path: tuple) -> bool:
    """No problem was found at ``path``, above it or below it."""
    n = len(path)
    return not any(f[:n] == path or path[:len(f)] == f for f in flagged)


def _check_periods_apart(fam: str, ends: list[int], bad) -> None:
    """On a yearly path every year of a plan period has its row, so two periods may not share
    a year: their end years must be at least five years apart."""
    for a, b in itertools.pairwise(ends):
        if b - a < 5:
            bad(("targets", fam, b), "range",
                f"targets.{fam}: the plan periods ending {a} and {b} overlap ({b - 4}–{a}); "
                "with intensity_path: yearly each year belongs to one period, so end years must "
                "be at least 5 years apart", "逐年考核时各规划期不得重叠（目标年份至少相隔5年）")


def _check_joined(s: dict, flagged: set[tuple], bad) -> None:
    """Rules that join keys: target years inside the model years, plan periods after the
    base year, unique limit ids. Each runs only where the shape was right."""
    if not _clean(flagged, ("years",)) or not isinstance(s.get("targets"), dict):
        return
    years = s["years"]
    span = range(years["start"], years["end"] + 1)
    t = s["targets"]
    if isinstance(t.get("peak"), dict) and _clean(flagged, ("targets", "peak")):
        _check_peak(t["peak"], span, bad)
    for fam in ("energy_intensity", "carbon_intensity", *CAP_FAMILIES):
        if not isinstance(t.get(fam), dict) or not _clean(flagged, ("targets", fam)):
            continue
        for y in (k for k in t[fam] if k != "only"):
            if y not in span:
                bad(("targets", fam, y), "range",
                    f"targets.{fam}: {y} is outside the model years", "目标年份超出模型范围")
            elif fam.endswith("intensity") and y - 5 < years["base"]:
                bad(("targets", fam, y), "range",
                    f"targets.{fam}: the plan period ending {y} starts {y - 5}, before the base "
                    f"year {years['base']}", "规划期起点早于基准年")
        if fam.endswith("intensity") and t.get("intensity_path") == "yearly":
            _check_periods_apart(fam, sorted(k for k in t[fam] if isinstance(k, int)), bad)
    if t.get("oil_peak_year") is not None and _clean(flagged, ("targets", "oil_peak_year")) \
            and t["oil_peak_year"] not in span:
        bad(("targets", "oil_peak_year"), "range", "targets.oil_peak_year must be a model year",
            "石油消费达峰年须在模型年份范围内")
    if _clean(flagged, ("targets", "limits")):
        ids = [lim["id"] for lim in t.get("limits") or []]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            bad(("targets", "limits"), "duplicate", f"limit id '{dup}' is used twice",
                "限值编号重复")
        for i, lim in enumerate(t.get("limits") or []):
            for y in (y for y in lim["values"] if y not in span):
                bad(("targets", "limits", i, "values", y), "range",
                    f"targets.limits.{lim['id']}: {y} is outside the model years",
                    "目标年份超出模型范围")


def _check_peak(p: dict, span: range, bad) -> None:
    y = p["year"]
    if y != "free" and p.get("latest") is not None:
        bad(("targets", "peak", "latest"), "free",
            "targets.peak.latest applies only with year: free (the model then chooses the peak "
            "year up to it); with a fixed peak year, remove it (latest: null where a base "
            "scenario sets it)", "仅在自主选择达峰年时使用")
    if y == "free":
        if p.get("latest") not in span:
            bad(("targets", "peak", "latest"), "range",
                "with year: free, targets.peak.latest must be a model year",
                "自主选择达峰年时须给出最晚达峰年")
    elif y not in span:
        bad(("targets", "peak", "year"), "range",
            f"targets.peak.year must be a model year ({span.start}–{span.stop - 1}) or 'free'",
            "达峰年须在模型年份范围内")
