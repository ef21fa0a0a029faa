"""The shape of scenario and batch files as pydantic models, and pydantic's errors turned into
the project's located problems.

The models state every key, its type (strict: ``years: 2020`` is not a mapping, ``"5"`` is not
a number, ``true`` is not a year), its range and its allowed values; unknown keys are refused
(``extra="forbid"``). Rules that join several keys (a peak year inside the model years, a plan
period that starts after the base year) stay in `peakpath.io.scenario`, which runs them on what the
models accept.

This module imports pydantic, so only commands that load scenario or batch files import it
(`peakpath --help` stays fast).
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from peakpath.io.scenario import CAP_FAMILIES

#: the years a table may hold (the schema's year column) bound every year in a file too
YEAR_MIN, YEAR_MAX = 1990, 2100
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
#: most Monte Carlo draws in one batch: at about two seconds a solve, 100,000 scenarios keep
#: one core busy for more than two days, and the draws alone take 100,000 × parameters floats
MAX_DRAWS = 100_000


class Strict(BaseModel):
    """Unknown keys refused, no type coercion, no inf or nan."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


def _bounded(lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False) -> Any:
    lo_kw = {"gt": lo} if lo_open else {"ge": lo}
    hi_kw = {"lt": hi} if hi_open else {"le": hi}
    return Annotated[float, Field(**lo_kw, **hi_kw)]


Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]


def _custom(rule: str, message: str, zh: str) -> PydanticCustomError:
    return PydanticCustomError(rule, message, {"zh": zh})


def _safe_name(v: str) -> str:
    if not SAFE_NAME.match(v) or ".." in v:
        raise _custom("name", f"name {v!r} must be 1–100 ASCII letters (A–Z, a–z), digits, '.', "
                      "'_' or '-', start with a letter or digit and contain no path separators "
                      "(it names the folder under results/ and the scenario in IAMC tables)",
                      "名称只能包含英文字母、数字、点、下划线和连字符（用作results/下的文件夹名），"
                      "不能用汉字或空格")
    return v


SafeName = Annotated[str, AfterValidator(_safe_name)]


def _is_year(v: Any) -> bool:
    return type(v) is int and YEAR_MIN <= v <= YEAR_MAX


def _decision(v: Any) -> Any:
    if v in ("in", "out", "decide") or _is_year(v):
        return v
    raise _custom("allowed", f"project decision {v!r} must be in, out, decide or an online year",
                  "项目决策应为in、out、decide或投产年份")


def _no_repeats(v: list) -> list:
    repeated = sorted({x for x in v if v.count(x) > 1})
    if repeated:
        raise _custom("repeated", f"{', '.join(map(str, repeated))} listed more than once",
                      "列表中有重复项")
    return v


def _peak_year(v: Any) -> Any:
    if v == "free" or type(v) is int:
        return v
    raise _custom("type", f"targets.peak.year must be a year or 'free'; got {v!r}",
                  "达峰年须为年份或free")


def _where_value(v: Any) -> Any:
    scalar = (str, int, float, bool)
    if isinstance(v, scalar) or (isinstance(v, list) and v and all(isinstance(x, scalar)
                                                                     for x in v)):
        return v
    raise _custom("type", f"a where value must be a value or a non-empty list of values; got "
                  f"{v!r}", "筛选条件应为值或值的列表")


Where = dict[str, Annotated[Any, AfterValidator(_where_value)]]


# --------------------------------------------------------------------------------------------
# scenario files


class YearsM(Strict):
    base: Year
    start: Year
    end: Year

    @model_validator(mode="after")
    def _order(self) -> YearsM:
        if not self.base < self.start <= self.end:
            raise _custom("range", "expected base < start <= end", "年份顺序错误")
        return self


class GwpM(Strict):
    CH4: _bounded(0.0, 1e5)
    N2O: _bounded(0.0, 1e5)


class AccountingM(Strict):
    exclude_new_renewables: bool
    exclude_feedstock: bool
    electricity: Literal["equivalent", "coal_equivalent"]
    count_sinks: bool
    target_gases: Annotated[list[Literal["CO2", "CH4", "N2O"]], Field(min_length=1),
                            AfterValidator(_no_repeats)]
    # a fuel listed twice would be counted twice by a coal cap
    coal_fuels: Annotated[list[str], Field(min_length=1), AfterValidator(_no_repeats)]


class SolverM(Strict):
    mip_rel_gap: _bounded(0.0, 1.0)
    time_limit: _bounded(1e-3, 1e7)
    threads: Annotated[int, Field(ge=1)]
    method: Literal["simplex", "ipm"]
    elastic: bool
    penalty: _bounded(1.0, 1e9)
    isolate: bool


class PeakM(Strict):
    year: Annotated[Any, AfterValidator(_peak_year)]
    latest: int | None = None
    cap: _bounded(0.0, 1e7, lo_open=True) | None = None  # 万t, as the cap families
    plateau_years: Annotated[int, Field(ge=0)] = 0
    decline_rate: _bounded(0.0, 1.0, hi_open=True) | None = None
    level: _bounded(0.0, 1e7, lo_open=True) | None = None
    form: Literal["level", "true_max"] = "level"


def _cap_model(lo: float, hi: float) -> type[Strict]:
    class CapM(Strict):
        """A cap family: yearly limits, and the years whose limit binds in that year only
        (``values`` is the mapping without its ``only`` key: see `split_only`)."""

        values: dict[Year, _bounded(lo, hi)]
        only: list[int] | None = None

        @model_validator(mode="after")
        def _only_has_caps(self) -> CapM:
            for y in self.only or []:
                if y not in self.values:
                    raise _custom("reference", f"only names {y!r}, which has no cap of its own",
                                  "only中的年份须有对应的限值")
            return self

    return CapM


class LimitM(Strict):
    id: SafeName
    quantity: Literal["co2", "energy", "coal", "gas", "oil", "investment"]
    groups: list[str] | None = None
    sectors: list[str] | None = None
    districts: list[str] | None = None
    sense: Literal["le", "ge"] = "le"
    values: dict[Year, _bounded(-1e9, 1e9)]


class TargetsM(Strict):
    peak: PeakM | None = None
    energy_intensity: dict[Year, _bounded(-1.0, 1.0, lo_open=True)] | None = None
    carbon_intensity: dict[Year, _bounded(-1.0, 1.0, lo_open=True)] | None = None
    # where the intensity targets are measured: each plan period's end year, or every year
    # on the geometric path to it (annual assessment)
    intensity_path: Literal["period_end", "yearly"] | None = None
    energy_cap: _cap_model(0.0, 1e7) | None = None
    carbon_cap: _cap_model(0.0, 1e7) | None = None
    coal_cap: _cap_model(0.0, 1e7) | None = None
    non_fossil_share: _cap_model(0.0, 1.0) | None = None
    oil_peak_year: int | None = None
    oil_peak_level: _bounded(0.0, 1e7, lo_open=True) | None = None  # 万tce, as the caps
    limits: list[LimitM] | None = None


class OverrideM(Strict):
    table: str
    where: Where | None = None
    column: str | None = None
    scale: float | None = None
    set: float | None = None
    add: float | None = None

    @model_validator(mode="after")
    def _one_operation(self) -> OverrideM:
        ops = [k for k in ("scale", "set", "add") if getattr(self, k) is not None]
        if len(ops) != 1:
            raise _custom("override", "an override needs exactly one of scale, set, add",
                          "覆盖须且只能指定scale、set、add之一")
        return self


class ScenarioM(Strict):
    """A scenario's settings after inheritance and defaults (`peakpath.io.scenario.DEFAULTS`)."""

    name: SafeName
    base: str | None = None
    description: str | None = None
    dataset: str | None = None
    years: YearsM
    discount_rate: _bounded(0.0, 0.5)
    gwp: GwpM
    districts: bool
    targets: TargetsM
    accounting: AccountingM
    carbon_price: dict[Year, _bounded(0.0, 1e5)]
    projects: dict[str, Annotated[Any, AfterValidator(_decision)]]
    overrides: list[OverrideM]
    solver: SolverM


# --------------------------------------------------------------------------------------------
# batch files


class ParameterM(Strict):
    name: str
    table: str
    where: Where | None = None
    column: str | None = None
    dist: str
    #: how a drawn x acts on the matched column: multiply by x, replace by x, or add x (for
    #: quantities whose central value is 0, such as an elasticity of 0)
    op: Literal["scale", "set", "add"] = "scale"
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    sigma: float | None = None
    #: dist choice: the values drawn and their probabilities (equal when omitted)
    values: list[float] | None = None
    weights: list[float] | None = None


class CorrelationM(Strict):
    between: Annotated[list[str], Field(min_length=2, max_length=2)]
    rho: _bounded(-1.0, 1.0, lo_open=True, hi_open=True)


class MonteCarloM(Strict):
    n: Annotated[int, Field(ge=1, le=MAX_DRAWS)]
    seed: Annotated[int, Field(ge=0)]  # NumPy seeds are non-negative
    parameters: list[ParameterM] = []
    correlation: list[CorrelationM] = []


class BatchM(Strict):
    """A batch file; the sweep's shape (lists of values, or labels of override lists) is
    checked by `peakpath.analysis.batch`, which knows the scenario it sweeps."""

    name: SafeName
    description: str | None = None
    scenario: str
    sweep: dict[str, Any] | None = None
    monte_carlo: MonteCarloM | None = None
    chunk: Annotated[int, Field(ge=1)] = 20


# --------------------------------------------------------------------------------------------
# pydantic errors -> located problems


def split_only(settings: dict) -> dict:
    """A copy of scenario settings in the models' shape: each cap family's mapping becomes
    ``{values: {year: limit}, only: [...]}``."""
    targets = settings.get("targets")
    if not isinstance(targets, dict):
        return settings
    out = dict(targets)
    for fam in CAP_FAMILIES:
        d = out.get(fam)
        if isinstance(d, dict):
            split = {"values": {k: v for k, v in d.items() if k != "only"}}
            if "only" in d:
                split["only"] = d["only"]
            out[fam] = split
    return {**settings, "targets": out}


def _join_only(loc: tuple) -> tuple:
    """The file's path of a location in `split_only`'s shape."""
    if len(loc) >= 3 and loc[0] == "targets" and loc[1] in CAP_FAMILIES and loc[2] == "values":
        return (*loc[:2], *loc[3:])
    return loc


# --------------------------------------------------------------------------------------------
# the assessment outline (``peakpath assess --outline``; rules that join keys in
# `peakpath.report.assess.check_outline`)


def _file_name(v: str) -> str:
    if not v or any(c in v for c in "/\\") or v.startswith("."):
        raise _custom("file", f"file name {v!r} must be non-empty, not start with '.' and hold "
                      "no '/' or '\\'", "文件名无效")
    return v


FileName = Annotated[str, AfterValidator(_file_name)]


class TitleM(Strict):
    """A title in Chinese, with its English beside (used by ``--lang zh+en``)."""

    zh: str
    en: str | None = None


class SelectM(Strict):
    groups: list[str] | None = None
    sectors: list[str] | None = None
    roles: list[str] | None = None


def _select(v: Any) -> Any:
    if v is None or v == "all":
        return v
    try:
        SelectM.model_validate(v)
    except ValidationError:
        raise _custom("select", "select must be 'all' or a mapping of groups, sectors and/or "
                      f"roles to lists of ids; got {v!r}", "选择范围应为all或分组/行业/角色列表"
                      ) from None
    return v


Select = Annotated[Any, AfterValidator(_select)]


class PartM(Strict):
    id: str
    zh: str
    en: str | None = None
    select: Select = None


class DocumentM(Strict):
    id: str
    kind: Literal["city", "special", "keyarea"]
    file: FileName
    title: TitleM
    topic: str | None = None
    lead_group: str | None = None
    lead: list[TitleM] = []
    select: Select = None
    parts: list[PartM] | None = None
    appliance_measures: list[str] | None = None


class IndexM(Strict):
    file: FileName = "index"
    title: TitleM | None = None


class DistrictsOutlineM(Strict):
    file: str
    title: TitleM
    lead: dict[str, TitleM]
    kind: dict[str, TitleM] | None = None


class EnterprisesOutlineM(Strict):
    file: str
    title: TitleM
    lead: dict[str, TitleM]
    ownership: dict[str, TitleM]
    headings: dict[str, TitleM]


class OutlineM(Strict):
    """The shape of an assessment outline (``templates/assess.yaml``)."""

    headings: dict[str, TitleM]
    city_headings: dict[str, TitleM]
    energy_topics: dict[str, TitleM]
    keyarea_headings: dict[str, dict[str, TitleM]] = {}
    district_headings: dict[str, TitleM] | None = None
    districts: DistrictsOutlineM | None = None
    enterprises: EnterprisesOutlineM | None = None
    milestones: list[Year] = []
    index: IndexM | None = None
    documents: Annotated[list[DocumentM], Field(min_length=1)]


def validate_model(model: type[BaseModel], data: Any, problem: Callable[..., None],
                   fix_loc: Callable[[tuple], tuple] = lambda loc: loc) -> set[tuple]:
    """Validate ``data`` with ``model``; report each error through ``problem(path, rule,
    message, hint_zh)``. Returns the paths that had an error."""
    try:
        model.model_validate(data)
    except ValidationError as e:
        bad: set[tuple] = set()
        for err in e.errors(include_url=False):
            loc = fix_loc(tuple(err["loc"]))
            is_key = bool(loc) and loc[-1] == "[key]"
            loc = loc[:-1] if is_key else loc
            if loc in bad and err["type"] not in ("extra_forbidden", "missing"):
                continue  # one message per place
            bad.add(loc)
            rule, en, zh = describe(model, err, loc, is_key)
            problem(loc, rule, en, zh)
        return bad
    return set()


def validate_scenario_settings(settings: dict, problem: Callable[..., None]) -> set[tuple]:
    """`validate_model` for merged scenario settings (cap families' ``only`` handled)."""
    return validate_model(ScenarioM, split_only(settings), problem, _join_only)


def dotted(loc: tuple) -> str:
    return ".".join(map(str, loc))


_TYPES = {
    "int_type": ("a whole number", "应为整数"),
    "float_type": ("a number", "应为数字"),
    "finite_number": ("a finite number", "应为有限数值"),
    "bool_type": ("true or false", "应为true或false"),
    "string_type": ("text", "应为文本"),
    "dict_type": ("a mapping (key: value lines)", "应为映射"),
    "model_type": ("a mapping (key: value lines)", "应为映射"),
    "list_type": ("a list", "应为列表"),
}
_BOUNDS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
           "less_than_equal": "<="}


def describe(model: type[BaseModel], err: dict, loc: tuple, is_key: bool
             ) -> tuple[str, str, str]:
    """(rule, English message, Chinese hint) of one pydantic error at file path ``loc``."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    name = dotted(loc)
    if is_key:
        if kind in ("int_type", *_BOUNDS):
            return "year", f"{loc[-1]!r} is not a year ({YEAR_MIN}–{YEAR_MAX})", "年份无效"
        return "type", f"key {loc[-1]!r} must be text", "键应为文本"
    if "zh" in ctx:  # raised by this module's validators
        return kind, _prefixed(name, err["msg"]), str(ctx["zh"])
    if kind == "extra_forbidden":
        keys = allowed_keys(model, loc[:-1])
        where = f" in '{dotted(loc[:-1])}'" if len(loc) > 1 else ""
        return ("unknown-key", f"unknown key '{loc[-1]}'{where}; expected one of: "
                f"{', '.join(keys)}", "未知的键")
    if kind == "missing":
        return "required", f"'{name}' is required", "缺少必填项"
    if kind in _TYPES:
        en, zh = _TYPES[kind]
        return "type", f"{name} must be {en}; got {value!r}", zh
    if kind in _BOUNDS:
        bound = next(iter(ctx.values()))
        return "range", f"{name} must be {_BOUNDS[kind]} {bound:g}; got {value!r}", "数值超出范围"
    if kind == "literal_error":
        return "allowed", f"{name} must be {ctx['expected']}; got {value!r}", "取值不在允许范围内"
    if kind in ("too_short", "too_long"):
        return "type", f"{name}: {err['msg'].lower()}", "元素个数不符"
    return kind, f"{name}: {err['msg']}", "取值无效"


def _prefixed(name: str, msg: str) -> str:
    return msg if not name or msg.startswith(name.split(".")[0]) else f"{name}: {msg}"


def allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys the model accepts at path ``loc`` (for unknown-key messages)."""
    t: Any = model
    for part in loc:
        t = _unwrap(t)
        if isinstance(t, type) and issubclass(t, BaseModel):
            if part not in t.model_fields:
                return []
            t = t.model_fields[part].annotation
        elif get_origin(t) is list:
            t = get_args(t)[0]
        elif get_origin(t) is dict:
            t = get_args(t)[1]
        else:
            return []
    t = _unwrap(t)
    if isinstance(t, type) and issubclass(t, BaseModel):
        return sorted(t.model_fields)
    return []


def _unwrap(t: Any) -> Any:
    """The model inside ``X | None`` and ``Annotated[X, ...]``."""
    while True:
        origin = get_origin(t)
        if origin is Annotated:
            t = get_args(t)[0]
        elif origin in (Union, types.UnionType):
            inner = [a for a in get_args(t) if a is not type(None)]
            if len(inner) != 1:
                return t
            t = inner[0]
        else:
            return t
