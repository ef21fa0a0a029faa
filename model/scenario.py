"""Scenario files (YAML): targets, accounting rules, overrides of input tables, project
decisions and solver options.

A scenario may inherit from another with ``base:``. Inheritance merges mappings key by key,
appends lists (``overrides``, ``targets.limits``) and deletes a key set to ``null``, so a child
states only what it changes. Paths are relative to the file that names them. Unknown keys are
errors that name the key, the file and the line; YAML is loaded with the safe loader.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from peakpath.errors import InputError, Problem

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

TARGET_FAMILIES = ("peak", "energy_intensity", "energy_cap", "carbon_intensity", "carbon_cap",
                   "coal_cap", "oil_peak_year", "oil_peak_level", "non_fossil_share", "limits")
#: caps and floors: a limit "by year Y" holds from Y on unless Y is listed in ``only``
CAP_FAMILIES = ("energy_cap", "carbon_cap", "coal_cap", "non_fossil_share")
LIMIT_QUANTITIES = ("co2", "energy", "coal", "investment")

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

# key -> type check for the top level and the fixed sub-mappings
_TOP = {"name", "base", "description", "dataset", "years", "discount_rate", "gwp", "districts",
        "targets", "accounting", "carbon_price", "projects", "overrides", "solver"}
_SUB = {
    "years": {"base", "start", "end"},
    "gwp": {"CH4", "N2O"},
    "accounting": set(DEFAULTS["accounting"]),
    "solver": set(DEFAULTS["solver"]),
    "targets": set(TARGET_FAMILIES),
    "targets.peak": {"year", "latest", "cap", "plateau_years", "decline_rate", "level"},
}
_OVERRIDE_KEYS = {"table", "where", "column", "scale", "set", "add"}
_LIMIT_KEYS = {"id", "quantity", "groups", "sectors", "districts", "sense", "values"}


@dataclass
class Scenario:
    """A resolved, validated scenario. ``settings`` is the merged mapping (defaults included);
    typed accessors below read it."""

    name: str
    path: Path
    dataset: Path
    settings: dict[str, Any]
    chain: list[Path] = field(default_factory=list)

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
        """A copy with dotted-path settings changed (``{"targets.peak.year": 2025}``)."""
        settings = copy.deepcopy(self.settings)
        for dotted, value in changes.items():
            set_dotted(settings, dotted, value)
        problems = validate_settings(settings, str(self.path), {})
        if problems:
            raise InputError(problems)
        return Scenario(settings["name"], self.path, self.dataset, settings, list(self.chain))


def _str_keys(x: Any) -> Any:
    """Mappings with string keys (a cap mapping mixes years and ``only``), for sorted JSON."""
    if isinstance(x, dict):
        return {str(k): _str_keys(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_str_keys(v) for v in x]
    return x


def set_dotted(d: dict, dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    for k in keys[:-1]:
        d = d.setdefault(k, {})
    d[keys[-1]] = value


# --------------------------------------------------------------------------------------------
# loading


def load_scenario(path: str | Path) -> Scenario:
    """Load a scenario file, resolve ``base:`` inheritance and validate every key."""
    path = Path(path)
    chain: list[Path] = []
    merged, lines, dataset = _load_chain(path, chain)
    settings = merge(copy.deepcopy(DEFAULTS), merged)
    problems = validate_settings(settings, str(path), lines)
    if dataset is None:
        problems.append(Problem(str(path), None, "dataset", "required",
                                "no dataset: name one with 'dataset:' (here or in a base)",
                                "未指定数据集"))
    if problems:
        raise InputError(problems)
    settings["dataset"] = str(dataset)
    return Scenario(settings["name"], path, dataset, settings, chain)


def _read_yaml(path: Path) -> tuple[dict, dict[tuple, int]]:
    if not path.exists():
        raise InputError([Problem(str(path), None, None, "file", "scenario file not found",
                                  "找不到情景文件")])
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError([Problem(str(path), mark.line + 1 if mark else None, None, "yaml",
                                  f"not valid YAML: {getattr(e, 'problem', e)}",
                                  "YAML格式错误")]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError([Problem(str(path), 1, None, "yaml",
                                  "a scenario file must be a mapping of keys to values",
                                  "情景文件须为键值映射")])
    lines: dict[tuple, int] = {}
    _node_lines(node, (), lines)
    return data, lines


def _node_lines(node, prefix: tuple, out: dict[tuple, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = (*prefix, k.value)
            out[key] = k.start_mark.line + 1
            _node_lines(v, key, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out[(*prefix, i)] = v.start_mark.line + 1
            _node_lines(v, (*prefix, i), out)


def _load_chain(path: Path, chain: list[Path]) -> tuple[dict, dict, Path | None]:
    path = path.resolve()
    if path in chain:
        raise InputError([Problem(str(path), None, "base", "base",
                                  "scenario inherits from itself (a 'base:' cycle)",
                                  "情景继承出现循环")])
    chain.append(path)
    data, lines = _read_yaml(path)
    dataset = None
    if "dataset" in data and data["dataset"] is not None:
        dataset = (path.parent / str(data["dataset"])).resolve()
    if data.get("base"):
        parent, plines, pdataset = _load_chain(path.parent / str(data["base"]), chain)
        merged = merge(parent, {k: v for k, v in data.items() if k != "base"})
        return merged, {**plines, **lines}, dataset or pdataset
    return data, lines, dataset


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
        elif path in APPENDED_LISTS and isinstance(out.get(k), list):
            out[k] = out[k] + v
        else:
            out[k] = v
    return out


# --------------------------------------------------------------------------------------------
# validation


def validate_settings(s: dict, file: str, lines: dict[tuple, int]) -> list[Problem]:
    problems: list[Problem] = []

    def bad(path: tuple, rule: str, msg: str, hint: str = "") -> None:
        problems.append(Problem(file, _line_of(lines, path), ".".join(map(str, path)), rule,
                                msg, hint))

    for k in s:
        if k not in _TOP:
            bad((k,), "unknown-key", f"unknown key '{k}'; expected one of: "
                f"{', '.join(sorted(_TOP))}", "未知的键")
    for sect, allowed in _SUB.items():
        d = _get(s, sect.split("."))
        if d is None:
            continue
        if not isinstance(d, dict):
            bad(tuple(sect.split(".")), "type", f"'{sect}' must be a mapping", "应为映射")
            continue
        for k in d:
            if k not in allowed:
                bad((*sect.split("."), k), "unknown-key",
                    f"unknown key '{k}' in '{sect}'; expected one of: "
                    f"{', '.join(sorted(map(str, allowed)))}", "未知的键")
    name = s.get("name")
    if not isinstance(name, str) or not SAFE_NAME.match(name) or ".." in name:
        bad(("name",), "name", f"scenario name {name!r} must be 1–100 letters, digits, '.', "
            "'_' or '-', start with a letter or digit and contain no path separators "
            "(it names the folder under results/)",
            "情景名称只能包含字母、数字、点、下划线和连字符")
    years = s["years"]
    if not all(isinstance(years.get(k), int) for k in ("base", "start", "end")):
        bad(("years",), "type", "years.base, years.start and years.end must be whole years",
            "年份须为整数")
    elif not years["base"] < years["start"] <= years["end"]:
        bad(("years",), "range", "expected base < start <= end", "年份顺序错误")
    _number(s, ("discount_rate",), 0.0, 0.5, bad)
    for g in ("CH4", "N2O"):
        _number(s, ("gwp", g), 0.0, 1e5, bad)
    if not isinstance(s.get("districts"), bool):
        bad(("districts",), "type", "districts must be true or false", "应为true或false")
    acc = s["accounting"]
    for k in ("exclude_new_renewables", "exclude_feedstock", "count_sinks"):
        if not isinstance(acc.get(k), bool):
            bad(("accounting", k), "type", f"accounting.{k} must be true or false")
    if acc.get("electricity") not in ("equivalent", "coal_equivalent"):
        bad(("accounting", "electricity"), "allowed",
            "accounting.electricity must be 'equivalent' (0.1229 kgce/kWh) or "
            "'coal_equivalent' (grid coal rate)", "电力折标方法应为当量值或等价值")
    for k in ("target_gases",):
        v = acc.get(k)
        if not (isinstance(v, list) and v and all(g in ("CO2", "CH4", "N2O") for g in v)):
            bad(("accounting", k), "allowed", f"accounting.{k} must be a list of CO2, CH4, N2O")
    if not (isinstance(acc.get("coal_fuels"), list) and acc["coal_fuels"]):
        bad(("accounting", "coal_fuels"), "type", "accounting.coal_fuels must list fuel ids")
    _year_map(s, ("carbon_price",), 0.0, 1e5, bad)
    _validate_targets(s, bad)
    _validate_projects(s, bad)
    _validate_overrides(s, bad)
    sol = s["solver"]
    _number(s, ("solver", "mip_rel_gap"), 0.0, 1.0, bad)
    _number(s, ("solver", "time_limit"), 1e-3, 1e7, bad)
    _number(s, ("solver", "penalty"), 1.0, 1e9, bad)
    if not isinstance(sol.get("threads"), int) or sol["threads"] < 1:
        bad(("solver", "threads"), "type", "solver.threads must be a whole number >= 1")
    if sol.get("method") not in ("simplex", "ipm"):
        bad(("solver", "method"), "allowed", "solver.method must be 'simplex' or 'ipm'")
    for k in ("elastic", "isolate"):
        if not isinstance(sol.get(k), bool):
            bad(("solver", k), "type", f"solver.{k} must be true or false")
    return problems


def _line_of(lines: dict[tuple, int], path: tuple) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


def _get(d: dict, keys: list) -> Any:
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _number(s: dict, path: tuple, lo: float, hi: float, bad) -> None:
    v = _get(s, list(path))
    if not _is_number(v) or not lo <= v <= hi:
        bad(path, "range", f"{'.'.join(path)} must be a number between {lo:g} and {hi:g}; "
            f"got {v!r}", "数值超出范围")


def _year_map(s: dict, path: tuple, lo: float, hi: float, bad) -> None:
    d = _get(s, list(path))
    if d is None or d == {}:
        return
    if not isinstance(d, dict):
        bad(path, "type", f"{'.'.join(path)} must map years to values, e.g. {{2025: -0.135}}",
            "应为“年份: 数值”的映射")
        return
    for y, v in d.items():
        if not isinstance(y, int) or not 1990 <= y <= 2100:
            bad((*path, y), "year", f"{y!r} is not a year", "年份无效")
        if not _is_number(v) or not lo <= v <= hi:
            bad((*path, y), "range", f"{'.'.join(map(str, path))}[{y}] must be a number "
                f"between {lo:g} and {hi:g}; got {v!r}", "数值超出范围")


def _validate_targets(s: dict, bad) -> None:
    t = s["targets"]
    if not isinstance(t, dict):
        return
    years = s["years"]
    span = range(years.get("start", 0), years.get("end", -1) + 1) if all(
        isinstance(years.get(k), int) for k in ("start", "end")) else range(0)
    if "peak" in t:
        p = t["peak"]
        if not isinstance(p, dict):
            bad(("targets", "peak"), "type", "targets.peak must be a mapping")
        else:
            y = p.get("year")
            if y == "free":
                latest = p.get("latest")
                if not isinstance(latest, int) or latest not in span:
                    bad(("targets", "peak", "latest"), "range",
                        "with year: free, targets.peak.latest must be a model year",
                        "自主选择达峰年时须给出最晚达峰年")
            elif not isinstance(y, int) or y not in span:
                bad(("targets", "peak", "year"), "range",
                    f"targets.peak.year must be a model year ({span.start}–{span.stop - 1}) or "
                    "'free'", "达峰年须在模型年份范围内")
            if "cap" in p and p["cap"] is not None and not (_is_number(p["cap"]) and p["cap"] > 0):
                bad(("targets", "peak", "cap"), "range", "targets.peak.cap must be > 0 (万t CO2)")
            pl = p.get("plateau_years", 0)
            if not isinstance(pl, int) or pl < 0:
                bad(("targets", "peak", "plateau_years"), "range",
                    "targets.peak.plateau_years must be a whole number >= 0")
            lv = p.get("level")
            if lv is not None and not (_is_number(lv) and lv > 0):
                bad(("targets", "peak", "level"), "range",
                    "targets.peak.level must be > 0 (万t CO2), or left out to take the level "
                    "the pathway reaches in the peak year without the peak target",
                    "峰值水平须为正数")
            dr = p.get("decline_rate")
            if dr is not None and not (_is_number(dr) and 0 <= dr < 1):
                bad(("targets", "peak", "decline_rate"), "range",
                    "targets.peak.decline_rate must be between 0 and 1 (share per year)")
    for fam, lo, hi in (("energy_intensity", -1.0, 1.0), ("carbon_intensity", -1.0, 1.0),
                        ("energy_cap", 0.0, 1e7), ("carbon_cap", 0.0, 1e7),
                        ("coal_cap", 0.0, 1e7), ("non_fossil_share", 0.0, 1.0)):
        if fam in t:
            only = _cap_only(s, t, fam, bad) if fam in CAP_FAMILIES else None
            sub = {k: v for k, v in (t[fam] or {}).items() if k != "only"} if isinstance(
                t[fam], dict) else t[fam]
            _year_map({"targets": {fam: sub}}, ("targets", fam), lo, hi, bad)
            for y in only or []:
                if y not in (sub or {}):
                    bad(("targets", fam, "only"), "reference",
                        f"targets.{fam}.only names {y!r}, which has no cap of its own",
                        "only中的年份须有对应的限值")
            for y in (sub or {}):
                if isinstance(y, int) and y not in span:
                    bad(("targets", fam, y), "range",
                        f"targets.{fam}: {y} is outside the model years", "目标年份超出模型范围")
    for fam in ("energy_intensity", "carbon_intensity"):
        for y in (t.get(fam) or {}):
            if isinstance(y, int) and isinstance(years.get("base"), int) and y - 5 < years["base"]:
                bad(("targets", fam, y), "range",
                    f"targets.{fam}: the plan period ending {y} starts {y - 5}, before the base "
                    f"year {years['base']}", "规划期起点早于基准年")
    lv = t.get("oil_peak_level")
    if lv is not None and not (_is_number(lv) and lv > 0):
        bad(("targets", "oil_peak_level"), "range", "targets.oil_peak_level must be > 0 "
            "(万tce), or left out to take the pathway's own oil use in the peak year")
    if "oil_peak_year" in t and (not isinstance(t["oil_peak_year"], int)
                                 or t["oil_peak_year"] not in span):
        bad(("targets", "oil_peak_year"), "range", "targets.oil_peak_year must be a model year")
    for i, lim in enumerate(t.get("limits") or []):
        path = ("targets", "limits", i)
        if not isinstance(lim, dict):
            bad(path, "type", "each limit must be a mapping")
            continue
        for k in lim:
            if k not in _LIMIT_KEYS:
                bad((*path, k), "unknown-key", f"unknown key '{k}' in a limit; expected one of:"
                    f" {', '.join(sorted(_LIMIT_KEYS))}", "未知的键")
        if not isinstance(lim.get("id"), str) or not SAFE_NAME.match(lim.get("id", "")):
            bad((*path, "id"), "name", "each limit needs an id (letters, digits, . _ -)")
        if lim.get("quantity") not in LIMIT_QUANTITIES:
            bad((*path, "quantity"), "allowed",
                f"limit quantity must be one of: {', '.join(LIMIT_QUANTITIES)}")
        if lim.get("sense", "le") not in ("le", "ge"):
            bad((*path, "sense"), "allowed", "limit sense must be 'le' or 'ge'")
        for k in ("groups", "sectors", "districts"):
            if k in lim and not (isinstance(lim[k], list) and all(isinstance(x, str)
                                                                  for x in lim[k])):
                bad((*path, k), "type", f"limit {k} must be a list of ids")
        _year_map(s, (*path, "values"), -1e9, 1e9, bad)
        if "values" not in lim:
            bad((*path, "values"), "required", "a limit needs values: {year: value}")
    ids = [lim.get("id") for lim in (t.get("limits") or []) if isinstance(lim, dict)]
    for dup in {i for i in ids if ids.count(i) > 1}:
        bad(("targets", "limits"), "duplicate", f"limit id '{dup}' is used twice")


def _cap_only(s: dict, t: dict, fam: str, bad) -> list | None:
    """The ``only`` list of a cap family (years whose cap binds in that year alone)."""
    d = t.get(fam)
    if not isinstance(d, dict) or "only" not in d:
        return None
    only = d["only"]
    if not (isinstance(only, list) and all(isinstance(y, int) for y in only)):
        bad(("targets", fam, "only"), "type", f"targets.{fam}.only must list years, e.g. "
            "[2022]", "only应为年份列表")
        return None
    return only


def _validate_projects(s: dict, bad) -> None:
    p = s["projects"]
    if not isinstance(p, dict):
        bad(("projects",), "type", "projects must map project ids (or 'default') to "
            "in / out / decide")
        return
    for k, v in p.items():
        ok = v in ("in", "out", "decide") or (isinstance(v, int) and 1990 <= v <= 2100)
        if not ok:
            bad(("projects", k), "allowed", f"project decision {v!r} must be in, out, decide "
                "or an online year", "项目决策应为in、out、decide或投产年份")


def _validate_overrides(s: dict, bad) -> None:
    ov = s["overrides"]
    if not isinstance(ov, list):
        bad(("overrides",), "type", "overrides must be a list")
        return
    for i, o in enumerate(ov):
        path = ("overrides", i)
        if not isinstance(o, dict):
            bad(path, "type", "each override must be a mapping")
            continue
        for k in o:
            if k not in _OVERRIDE_KEYS:
                bad((*path, k), "unknown-key", f"unknown key '{k}' in an override; expected one "
                    f"of: {', '.join(sorted(_OVERRIDE_KEYS))}", "未知的键")
        ops = [k for k in ("scale", "set", "add") if k in o]
        if len(ops) != 1:
            bad(path, "override", "an override needs exactly one of scale, set, add")
        elif not _is_number(o[ops[0]]):
            bad((*path, ops[0]), "type", f"override {ops[0]} must be a number")
        if not isinstance(o.get("table"), str):
            bad((*path, "table"), "required", "an override needs table: <table name>")
        if "where" in o and not isinstance(o["where"], dict):
            bad((*path, "where"), "type", "override where must map columns to values")
