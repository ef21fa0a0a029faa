"""Every input table: columns, types, units, allowed values and references — the single source
of truth for `inputs.py` (reading and validation), the data-list workbook template and the docs.

A dataset is a folder of CSV files (UTF-8, long format, one row per value) named after the
tables below, e.g. ``inputs/wuhan/measures.csv``. Canonical units are listed in `peakpath.io.units`;
a ``unit`` column names the unit of ``value`` in that row and must measure the dimension the
schema expects (``unit_dimension``). Columns of wide tables (``measures``) have fixed units
stated in their docs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from peakpath.io.units import SCE_BASES

GASES = ("CO2", "CH4", "N2O")
SECTOR_ROLES = ("end_use", "power", "renewable_power", "heat", "sink", "ccus")
DRIVERS = ("gdp", "population", "industry_va", "services_va", "constant", "heat_demand")
FUEL_CATEGORIES = ("coal", "oil", "gas", "biomass", "electricity", "heat")
MEASURE_KINDS = ("continuous", "integer", "semicontinuous")
POTENTIAL_BASES = ("fixed", "activity_share", "activity_growth", "base_activity_share")
EFFECT_KINDS = ("energy", "energy_share", "feedstock", "process", "generation",
                "renewable_generation")
#: how a measure acts on its sector's service (technology stocks, `peakpath.core.ledger`)
MEASURE_MODES = ("add", "switch", "improve")
DISTRICT_KINDS = ("city", "core", "suburban", "zone")
#: what a district share is derived from (district_shares, measure_sites)
SHARE_BASES = ("population", "gdp", "floor_area", "land_area", "rural", "plant", "heat_users",
               "mixed")
DISTRICT_VARIABLES = ("population", "gdp")
#: the largest magnitude any number may have (canonical units). Above 1e15 a double no longer
#: holds every whole number (2^53 ≈ 9.0e15), and no quantity of a city comes near it: world
#: GDP is about 7e10 万元 and world energy use about 2e6 万tce. A larger value is a typo or an
#: override gone wrong (a price scaled by 1e300), and would reach the solver as noise.
MAX_ABS = 1e15
#: most a measure can cost per unit, 万元 (capex, O&M, hidden cost): 10^8 万元 is 1 万亿元, above
#: the cost of any single project ever built (the Three Gorges dam: about 2,000 亿元); the
#: costliest unit in the Wuhan dataset is 3e5 万元. Larger costs put coefficients of 1e17 and
#: more in the objective, where HiGHS stops with a numerical error
MAX_UNIT_COST = 1e8
#: most a carrier may cost, canonical CNY per tce (or CNY per kWh for electricity): 300 times
#: the dearest carrier in the Wuhan dataset (oil, 4,250 CNY/tce; electricity 0.42 CNY/kWh is
#: about 3,400 CNY/tce)
MAX_PRICE = 1e6


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "str" | "int" | "float"
    doc_en: str
    doc_zh: str
    required: bool = True
    allowed: tuple[str, ...] | None = None
    ref: str | None = None  # "table.column" whose values this column must use
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    #: the largest magnitude allowed (a tighter bound than `MAX_ABS` where the schema knows one)
    max_abs: float = MAX_ABS
    unit: str = ""  # fixed unit of a wide-table column (documentation and template)


@dataclass(frozen=True)
class Table:
    name: str
    doc_en: str
    doc_zh: str
    lead_en: str  # department that fills it under the work plan
    lead_zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    #: expected dimension of the `unit` column: a fixed dimension, or (column, {value: dim})
    #: with "*" as the fallback value.
    unit_dimension: str | tuple[str, dict[str, str]] | None = None
    optional: bool = False
    #: a required table whose header alone is a valid answer ("no measures", "no process
    #: emissions"); any other required table with no rows is refused, since its values would
    #: silently become zero (an empty efficiency table once set every rate to 0)
    may_be_empty: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, kind: str, en: str, zh: str, **kw) -> Column:
    return Column(name, kind, en, zh, **kw)


def _year(en: str = "calendar year", zh: str = "年份") -> Column:
    return _c("year", "int", en, zh, min=1990, max=2100)


def _value(en: str, zh: str, **kw) -> Column:
    return _c("value", "float", en, zh, **kw)


def _unit(en: str = "unit of value", zh: str = "数值单位") -> Column:
    return _c("unit", "str", en, zh)


_NAME_ZH = _c("name_zh", "str", "Chinese name", "中文名称")
_NAME_EN = _c("name_en", "str", "English name", "英文名称")

DRC = ("Municipal Development and Reform Commission", "市发改委")
EIB = ("Municipal Bureau of Economy and Information Technology", "市经信局")
STATS = ("Municipal Bureau of Statistics", "市统计局")
EEB = ("Municipal Ecology and Environment Bureau", "市生态环境局")

TABLES: tuple[Table, ...] = (
    Table(
        "sector_groups",
        "Sector groups: the bureaus' areas of the work plan.",
        "部门组：工作方案中各牵头部门负责的领域。",
        *DRC,
        columns=(
            _c("group", "str", "group id", "部门组代码"),
            _NAME_ZH,
            _NAME_EN,
            _c("bureau_zh", "str", "lead bureau (Chinese)", "牵头部门"),
            _c("bureau_en", "str", "lead bureau (English)", "牵头部门（英文）"),
        ),
        key=("group",),
    ),
    Table(
        "sectors",
        "Sectors (subsectors of a group) with their activity driver.",
        "行业（部门组下的子行业）及其活动水平驱动因素。",
        *DRC,
        columns=(
            _c("sector", "str", "sector id", "行业代码"),
            _c("group", "str", "sector group", "所属部门组", ref="sector_groups.group"),
            _NAME_ZH,
            _NAME_EN,
            _c("role", "str", "role in the energy balance", "在能源平衡中的角色",
               allowed=SECTOR_ROLES),
            _c("activity_unit", "str", "unit of the activity level", "活动水平单位"),
            _c("driver", "str", "what drives activity growth", "活动水平驱动因素",
               allowed=DRIVERS),
            _c("elasticity", "float", "elasticity of activity to the driver",
               "活动水平对驱动因素的弹性", min=-2, max=3),
            _c("must_run", "float", "share of the year's activity a power sector keeps whatever "
               "the measures do (heat duties, system needs); empty = none",
               "最低出力比例（供热等必开需要，占当年活动水平）；空白=无", required=False, min=0,
               max=1, unit="1"),
        ),
        key=("sector",),
    ),
    Table(
        "fuels",
        "Energy carriers.",
        "能源品种。",
        *STATS,
        columns=(
            _c("fuel", "str", "carrier id", "能源品种代码"),
            _NAME_ZH,
            _NAME_EN,
            _c("category", "str", "category", "类别", allowed=FUEL_CATEGORIES),
        ),
        key=("fuel",),
    ),
    Table(
        "standard_coal",
        "Standard-coal coefficients (折标准煤系数) of each carrier per physical unit, GB/T "
        "2589-2020: used when a data-list workbook gives energy in t, 万t, 万m³, 万kWh or GJ "
        "instead of tce. Electricity must use the calorific equivalent 0.1229 kgce/kWh, the "
        "model's definition of electricity in 万tce.",
        "各能源品种实物量折标准煤系数（GB/T 2589-2020）：数据清单中能源消费以吨、万吨、万立方米、"
        "万千瓦时或吉焦填报时用于折算为吨标准煤。电力须按当量值0.1229 kgce/kWh折算。",
        *STATS,
        columns=(
            _c("fuel", "str", "carrier", "能源品种", ref="fuels.fuel"),
            _c("basis", "str", "physical quantity converted: mass (t, 万t), volume (m³, 万m³), "
               "electricity (kWh, 万kWh) or heat (MJ, GJ)",
               "实物量类型：质量（吨、万吨）、体积（立方米、万立方米）、电量（千瓦时、万千瓦时）、"
               "热量（兆焦、吉焦）", allowed=tuple(SCE_BASES)),
            _c("product_zh", "str", "product the coefficient is for (Chinese)",
               "折算系数对应的产品"),
            _c("product_en", "str", "product the coefficient is for (English)",
               "折算系数对应的产品（英文）"),
            _value("standard coal per unit of the physical quantity", "单位实物量折标准煤量",
                   min=0, min_exclusive=True),
            _unit(),
        ),
        key=("fuel", "basis"),
        unit_dimension=("basis", {b: dim for b, (dim, _canon) in SCE_BASES.items()}),
        optional=True,
    ),
    Table(
        "districts",
        "Districts and development zones (one row 'city' when the dataset has no districts).",
        "行政区与功能区（无分区数据时仅一行“全市”）。",
        *STATS,
        columns=(
            _c("district", "str", "district id", "区代码"),
            _NAME_ZH,
            _NAME_EN,
            _c("kind", "str", "kind of unit", "类型", allowed=DISTRICT_KINDS),
        ),
        key=("district",),
    ),
    Table(
        "macro",
        "Macro history: GDP (constant 2020 prices), GDP at current prices, population, "
        "shares of the secondary and tertiary sectors in GDP.",
        "宏观历史数据：GDP（2020年不变价）、现价GDP、常住人口、二产与三产占比。",
        *STATS,
        columns=(
            _c("variable", "str", "variable", "指标",
               allowed=("gdp", "gdp_current", "population", "secondary_share",
                        "tertiary_share")),
            _year(),
            _value("value", "数值", min=0),
            _unit(),
        ),
        key=("variable", "year"),
        unit_dimension=("variable", {"gdp": "money", "gdp_current": "money",
                                     "population": "population", "*": "share"}),
    ),
    Table(
        "growth",
        "Projected growth rates of GDP and population after the last history year.",
        "末个历史年份之后GDP与人口的预测增速。",
        *DRC,
        columns=(
            _c("variable", "str", "variable", "指标", allowed=("gdp", "population")),
            _c("start_year", "int", "first year the rate applies", "起始年份", min=1990,
               max=2100),
            _c("end_year", "int", "last year the rate applies", "结束年份", min=1990, max=2100),
            _c("rate", "float", "growth rate per year", "年均增速", min=-0.2, max=0.3),
            _unit(),
        ),
        key=("variable", "start_year"),
        unit_dimension="rate",
    ),
    Table(
        "activity",
        "Base-year activity level of each sector and district (tonnes of steel, m2 of floor "
        "area, vehicles, hectares ...); later years follow the sector's driver.",
        "基准年各行业、各区的活动水平（钢产量、建筑面积、车辆数、面积等），之后按驱动因素外推。",
        *STATS,
        columns=(
            _c("sector", "str", "sector", "行业", ref="sectors.sector"),
            _c("district", "str", "district", "区", ref="districts.district"),
            _year(),
            _value("activity level", "活动水平", min=0),
            _c("unit", "str", "unit (must equal the sector's activity_unit)",
               "单位（须与行业活动水平单位一致）"),
        ),
        key=("sector", "district", "year"),
    ),
    Table(
        "energy",
        "Energy use by sector and carrier, history and base year (electricity at the "
        "calorific equivalent 0.1229 kgce/kWh; feedstock included).",
        "分行业分品种能源消费量，历史年份与基准年（电力按当量值0.1229 kgce/kWh折算，含原料用能）。",
        *STATS,
        columns=(
            _c("sector", "str", "sector", "行业", ref="sectors.sector"),
            _c("fuel", "str", "carrier", "能源品种", ref="fuels.fuel"),
            _year(),
            _value("energy use", "能源消费量", min=0),
            _unit(),
        ),
        key=("sector", "fuel", "year"),
        unit_dimension="energy",
    ),
    Table(
        "feedstock",
        "Share of a sector's use of a carrier that is feedstock (原料用能), not burned.",
        "行业某能源品种消费中作为原料（非燃烧）使用的比例。",
        *EIB,
        columns=(
            _c("sector", "str", "sector", "行业", ref="sectors.sector"),
            _c("fuel", "str", "carrier", "能源品种", ref="fuels.fuel"),
            _c("share", "float", "feedstock share", "原料用能比例", min=0, max=1),
        ),
        key=("sector", "fuel"),
        optional=True,
    ),
    Table(
        "efficiency",
        "Autonomous change of each sector's energy intensity per year (negative = falling); "
        "a row naming a fuel replaces the sector's rate for that fuel (e.g. a rising "
        "electricity intensity while fuel intensity falls).",
        "各行业单位活动能耗的自主年变化率（负值为下降）；指明能源品种的行替代该品种的行业变化率。",
        *DRC,
        columns=(
            _c("sector", "str", "sector", "行业", ref="sectors.sector"),
            _c("fuel", "str", "the fuel this rate applies to; empty = every fuel of the sector "
               "that has no row of its own", "适用的能源品种（空白=该行业其余全部品种）",
               required=False, ref="fuels.fuel"),
            _c("rate", "float", "change per year", "年变化率", min=-0.2, max=0.2),
            _c("end_year", "int", "last year the rate applies (the intensity holds its level "
               "after it); empty = every model year", "变化率适用的最后年份（空白=全部年份）",
               required=False, min=1990, max=2100),
            _unit(),
        ),
        key=("sector", "fuel"),
        unit_dimension="rate",
    ),
    Table(
        "process",
        "Process and non-CO2 emissions (sinks negative) per unit of activity.",
        "单位活动水平的工业过程及非二氧化碳排放（碳汇为负）。",
        *EEB,
        columns=(
            _c("sector", "str", "sector", "行业", ref="sectors.sector"),
            _c("gas", "str", "gas", "气体", allowed=GASES),
            _year(),
            _value("mass of gas per unit of activity", "单位活动水平排放量（气体质量）"),
            _c("unit", "str", "mass unit per activity unit (万t or t)", "质量单位（万t或t）"),
        ),
        key=("sector", "gas", "year"),
        unit_dimension="mass",
        may_be_empty=True,
    ),
    Table(
        "emission_factors",
        "CO2 emission factors of fuels, per tce burned.",
        "燃料二氧化碳排放因子（每吨标准煤）。",
        *EEB,
        columns=(
            _c("fuel", "str", "carrier", "能源品种", ref="fuels.fuel"),
            _year(),
            # at most 10 tCO2/tce: the highest IPCC default of any fuel is blast-furnace gas,
            # 260 tCO2/TJ (2006 Guidelines vol. 2 table 1.4) = 7.6 tCO2/tce at 29.3076 GJ/tce;
            # pure carbon gives 3.3 (coal 2.66 here)
            _value("emission factor", "排放因子", min=0, max=10),
            _unit(),
        ),
        key=("fuel", "year"),
        unit_dimension="emission_factor",
    ),
    Table(
        "grid",
        "Purchased grid electricity: emission factor, non-fossil share of generation, coal "
        "consumption rate of power supply (for the coal-equivalent method).",
        "外购电网电力：排放因子、非化石电源占比、供电煤耗（发电煤耗法折算用）。",
        *DRC,
        columns=(
            _c("variable", "str", "variable", "指标",
               allowed=("emission_factor", "non_fossil_share", "coal_rate")),
            _year(),
            _value("value", "数值", min=0),
            _unit(),
        ),
        key=("variable", "year"),
        unit_dimension=("variable", {"emission_factor": "grid_factor",
                                     "non_fossil_share": "share", "coal_rate": "coal_rate"}),
    ),
    Table(
        "prices",
        "Prices paid for fuels and purchased electricity (constant 2020 prices).",
        "燃料与外购电价格（2020年不变价）。",
        *DRC,
        columns=(
            _c("fuel", "str", "carrier", "能源品种", ref="fuels.fuel"),
            _year(),
            _value("price", "价格", min=0, max_abs=MAX_PRICE),
            _unit(),
        ),
        key=("fuel", "year"),
        unit_dimension=("fuel", {"electricity": "electricity_price", "*": "energy_price"}),
    ),
    Table(
        "actors",
        "Who invests in a measure, and the hurdle rate (technology discount rate, as in TIMES) "
        "at which that actor annualises investments. The objective still discounts at the "
        "scenario's social rate; the difference is the efficiency gap, reported apart.",
        "措施的投资主体及其要求的投资回报率（门槛收益率，如TIMES的技术贴现率）。目标函数仍按社会"
        "贴现率折现，二者之差即“能效缺口”，单独报告。",
        *DRC,
        columns=(
            _c("actor", "str", "actor id", "投资主体代码"),
            _NAME_ZH,
            _NAME_EN,
            _c("hurdle_rate", "float", "hurdle rate for annualising capex", "门槛收益率",
               min=0, max=1, unit="1/yr"),
            _c("source", "str", "source or derivation (see SOURCES.md)", "来源或推算方法"),
        ),
        key=("actor",),
        optional=True,
    ),
    Table(
        "price_components",
        "Parts of a carrier's price: 'tax' is the part of prices.csv that is tax (a transfer, "
        "reported apart from resource cost); 'network' is a delivery charge paid on every unit "
        "used (electricity: transmission and distribution), on top of prices.csv.",
        "价格构成：tax为prices表价格中的税费（转移支付，与资源成本分开报告）；network为按全部用量"
        "另行计收的输配费用（电力输配电价）。",
        *DRC,
        columns=(
            _c("fuel", "str", "carrier", "能源品种", ref="fuels.fuel"),
            _c("component", "str", "tax or network", "构成", allowed=("tax", "network")),
            _year(),
            _value("amount", "金额", min=0, max_abs=MAX_PRICE),
            _unit(),
        ),
        key=("fuel", "component", "year"),
        unit_dimension=("fuel", {"electricity": "electricity_price", "*": "energy_price"}),
        optional=True,
    ),
    Table(
        "measures",
        "Abatement measures: costs, lifetime, diffusion and kind (one row per measure).",
        "减排措施：成本、寿命、推广速度与类型（每项措施一行）。",
        *DRC,
        columns=(
            _c("measure", "str", "measure id", "措施代码"),
            _c("sector", "str", "sector where it is adopted", "所属行业", ref="sectors.sector"),
            _NAME_ZH,
            _NAME_EN,
            _c("unit", "str", "unit of adoption", "推广规模单位"),
            _c("potential_basis", "str", "how measure_potential is read: fixed (in the "
               "measure's unit), activity_share (share of the sector's activity), "
               "activity_growth (share of the activity added since the base year) or "
               "base_activity_share (share of the base year's activity: a retrofit of the "
               "existing stock)",
               "潜力口径：固定值、占行业活动水平比例、占新增活动水平比例、占基准年活动水平比例（既有存量改造）",
               allowed=POTENTIAL_BASES),
            _c("first_year", "int", "first year a build is possible", "最早可建年份",
               min=2000, max=2100),
            _c("lifetime", "int", "lifetime of a build", "寿命", min=1, max=100, unit="yr"),
            _c("capex", "float", "investment per unit, base-year cost", "单位投资（基准年）",
               min=0, max_abs=MAX_UNIT_COST, unit="万元/unit"),
            _c("capex_change", "float", "yearly change of capex (negative = falling)",
               "单位投资年变化率", min=-0.2, max=0.2, unit="1/yr"),
            _c("om", "float", "operation and maintenance per unit in use, per year "
               "(negative = non-energy savings)", "单位年运维费用（负值为非能源收益）",
               max_abs=MAX_UNIT_COST, unit="万元/unit/yr"),
            _c("max_build_share", "float", "most that can be built in a year, as a share of "
               "that year's potential", "年度最大新建量占当年潜力的比例",
               min=0, max=1, min_exclusive=True),
            _c("kind", "str", "continuous, integer (unit = one lumpy project) or "
               "semicontinuous (zero or at least min_build)", "类型：连续、整数、半连续",
               allowed=MEASURE_KINDS),
            _c("min_build", "float", "smallest build of a semicontinuous measure",
               "半连续措施的最小建设规模", required=False, min=0, unit="unit"),
            _c("exclusive_group", "str", "group of mutually exclusive measures sharing one "
               "potential", "互斥措施组", required=False),
            _c("host_sector", "str", "sector whose CO2 a capture measure takes",
               "碳捕集措施的排放源行业", required=False, ref="sectors.sector"),
            _c("max_capture_share", "float", "largest share of the host's CO2 it can capture",
               "可捕集的排放源二氧化碳最大比例", required=False, min=0, max=1,
               min_exclusive=True),
            _c("mode", "str", "how the measure acts on its sector's service: add (fixed "
               "effects per unit, the default), switch (a unit of the sector's activity moves "
               "from the incumbent technology to this one: its energy effects are the new "
               "technology's own use, the incumbent's use is taken off) or improve (a unit of "
               "the incumbent's activity uses less: energy_share effects)",
               "作用方式：add叠加、switch技术替代（占活动水平份额）、improve改进现有技术",
               required=False, allowed=(*MEASURE_MODES, "")),
            _c("actor", "str", "who invests (actors.csv): capex is annualised at its hurdle "
               "rate; empty = the social discount rate", "投资主体（空白时按社会贴现率）",
               required=False, ref="actors.actor"),
            _c("max_growth", "float", "diffusion limit: the stock in use may grow at most this "
               "share a year, beyond a start-up amount of growth_seed × potential; empty = "
               "no growth limit", "扩散约束：在用规模年增长率上限（另加启动量）", required=False,
               min=0, max=10, unit="1/yr"),
            _c("growth_seed", "float", "start-up amount of the diffusion limit, as a share of "
               "the year's potential (MESSAGE's start-up value)",
               "扩散约束的启动量（占当年潜力比例）",
               required=False, min=0, max=1, unit="1"),
            _c("hidden_cost", "float", "hidden or transaction cost per unit in use per year "
               "(information, disruption, search), part of the efficiency gap",
               "隐性/交易成本（每单位在用规模每年）", required=False, min=0,
               max_abs=MAX_UNIT_COST, unit="万元/unit/yr"),
        ),
        key=("measure",),
        may_be_empty=True,
    ),
    Table(
        "measure_potential",
        "Technical potential of each measure (stock that may be in use), by year; linear "
        "between the years given, flat outside them.",
        "各措施分年度技术潜力（可在用规模上限），年份之间线性插值，两端保持不变。",
        *DRC,
        columns=(
            _c("measure", "str", "measure", "措施", ref="measures.measure"),
            _year(),
            _value("potential", "潜力", min=0),
            _c("unit", "str", "the measure's unit, or 1 for a share of activity",
               "单位（与措施单位一致；按活动水平比例时为1）"),
        ),
        key=("measure", "year"),
        may_be_empty=True,
    ),
    Table(
        "measure_effects",
        "Effect of one unit of a measure in use, per year: change in a carrier's use "
        "(negative saves), in process emissions of a gas (negative abates; CO2 captured or "
        "removed is negative CO2), or local generation.",
        "单位措施每年的效果：某能源品种消费变化（负为节约）、某气体过程排放变化（负为减排；"
        "捕集或移除的二氧化碳为负）、或本地发电量。",
        *DRC,
        columns=(
            _c("measure", "str", "measure", "措施", ref="measures.measure"),
            _c("kind", "str", "kind of effect", "效果类型", allowed=EFFECT_KINDS),
            _c("item", "str", "carrier (energy, generation) or gas (process)",
               "能源品种或气体"),
            _c("sector", "str", "sector affected if not the measure's own",
               "受影响行业（默认本行业）",
               required=False, ref="sectors.sector"),
            _value("effect per unit in use per year", "单位在用规模的年效果"),
            _unit(),
        ),
        key=("measure", "kind", "item", "sector"),
        unit_dimension=("kind", {"energy": "energy", "energy_share": "share",
                                 "feedstock": "energy", "process": "mass",
                                 "generation": "electricity",
                                 "renewable_generation": "electricity"}),
        may_be_empty=True,
    ),
    Table(
        "measure_groups",
        "Shared potential of a group of mutually exclusive measures, by year.",
        "互斥措施组的共享潜力（分年度）。",
        *DRC,
        columns=(
            _c("group", "str", "exclusive group", "互斥措施组"),
            _year(),
            _value("shared potential", "共享潜力", min=0),
            _c("unit", "str", "unit (must equal the members' unit)", "单位（须与组内措施一致）"),
        ),
        key=("group", "year"),
        optional=True,
    ),
    Table(
        "projects",
        "Major energy-intensive projects (两高项目, ≥ 1 万tce a year) that may come online.",
        "拟建“两高”项目（年综合能耗1万吨标准煤以上）。",
        *DRC,
        columns=(
            _c("project", "str", "project id", "项目代码"),
            _NAME_ZH,
            _NAME_EN,
            _c("sector", "str", "sector", "行业", ref="sectors.sector"),
            _c("district", "str", "district", "所在区", ref="districts.district"),
            _c("earliest_year", "int", "earliest online year", "最早投产年份", min=2000,
               max=2100),
            _c("value_added", "float", "value added when online", "投产后年增加值", min=0,
               unit="亿元/yr"),
        ),
        key=("project",),
        optional=True,
    ),
    Table(
        "project_effects",
        "Yearly energy use and process emissions of a project once online.",
        "项目投产后每年新增的能源消费与过程排放。",
        *DRC,
        columns=(
            _c("project", "str", "project", "项目", ref="projects.project"),
            _c("kind", "str", "energy (burned), feedstock (原料, not burned: counts in fuel use, "
               "not in CO2, and not in the energy total when feedstock is excluded) or process",
               "类型：燃料、原料或过程排放", allowed=("energy", "feedstock", "process")),
            _c("item", "str", "carrier or gas", "能源品种或气体"),
            _value("amount per year", "年数量", min=0),
            _unit(),
        ),
        key=("project", "kind", "item"),
        unit_dimension=("kind", {"energy": "energy", "feedstock": "energy", "process": "mass"}),
        optional=True,
    ),
    Table(
        "district_indicators",
        "Population and GDP of each district in a base year (for per-capita and "
        "ability-to-pay allocation; later years keep the base-year shares of the city).",
        "各区基准年常住人口与地区生产总值（用于人均与支付能力分配；之后年份保持基准年占全市比重）。",
        *STATS,
        columns=(
            _c("district", "str", "district", "区", ref="districts.district"),
            _c("variable", "str", "variable", "指标", allowed=DISTRICT_VARIABLES),
            _year(),
            _value("value", "数值", min=0),
            _unit(),
            _c("source", "str", "source or derivation (see SOURCES.md)", "来源或推算方法"),
        ),
        key=("district", "variable", "year"),
        unit_dimension=("variable", {"population": "population", "gdp": "money"}),
        optional=True,
    ),
    Table(
        "district_shares",
        "Each district's share of a sector's city activity (used when a scenario sets "
        "districts: true); the shares of a sector sum to 1.",
        "各区占全市行业活动水平的比例（情景设置 districts: true 时使用）；"
        "同一行业各区比例之和为1。",
        *STATS,
        columns=(
            _c("sector", "str", "sector", "行业", ref="sectors.sector"),
            _c("district", "str", "district", "区", ref="districts.district"),
            _c("share", "float", "share of the city's activity", "占全市比例", min=0, max=1),
            _c("basis", "str", "what the share is derived from", "推算依据",
               allowed=SHARE_BASES),
            _c("source", "str", "source or derivation (see SOURCES.md)", "来源或推算方法"),
        ),
        key=("sector", "district"),
        optional=True,
    ),
    Table(
        "measure_sites",
        "Site-tied measures: each district's share of a measure's potential, overriding the "
        "sector's district shares (a plant's CCUS unit, a coal unit to retire); the shares of "
        "a measure sum to 1.",
        "与厂址相关的措施：各区占该措施潜力的比例，替代行业分区比例（如某电厂的碳捕集机组、"
        "拟关停机组）；同一措施各区比例之和为1。",
        *DRC,
        columns=(
            _c("measure", "str", "measure", "措施", ref="measures.measure"),
            _c("district", "str", "district", "区", ref="districts.district"),
            _c("share", "float", "share of the measure's potential", "占措施潜力比例", min=0,
               max=1, min_exclusive=True),
            _c("basis", "str", "what the share is derived from", "推算依据",
               allowed=SHARE_BASES),
            _c("source", "str", "source or derivation (see SOURCES.md)", "来源或推算方法"),
        ),
        key=("measure", "district"),
        optional=True,
    ),
    Table(
        "enterprises",
        "Key enterprises (重点国有企业 and other major emitters): the share of a sector's "
        "activity in a district that belongs to the enterprise.",
        "重点企业（重点国有企业等主要排放单位）：某区某行业活动水平中属于该企业的比例。",
        *EIB,
        columns=(
            _c("enterprise", "str", "enterprise id", "企业代码"),
            _NAME_ZH,
            _NAME_EN,
            _c("owner_zh", "str", "owning group (Chinese)", "所属集团"),
            _c("owner_en", "str", "owning group (English)", "所属集团（英文）"),
            _c("sector", "str", "sector", "行业", ref="sectors.sector"),
            _c("district", "str", "district of the site", "厂址所在区",
               ref="districts.district"),
            _c("share", "float", "share of the sector's activity in the district",
               "占该区该行业活动水平比例", min=0, max=1, min_exclusive=True),
            _c("source", "str", "source or derivation (see SOURCES.md)", "来源或推算方法"),
        ),
        key=("enterprise", "sector", "district"),
        optional=True,
    ),
    Table(
        "inventory_reference",
        "Published emission totals for comparison (not used by the optimisation).",
        "已发布的排放总量，仅用于对比（不参与优化）。",
        *EEB,
        columns=(
            _c("source", "str", "publisher and dataset", "来源"),
            _c("scope", "str", "boundary", "核算边界", allowed=("scope1", "scope1+2")),
            _year(),
            _value("emissions", "排放量", min=0),
            _unit(),
        ),
        key=("source", "scope", "year"),
        unit_dimension="mass",
        optional=True,
    ),
    Table(
        "district_area",
        "Land area of each district and zone, on the boundary its population and GDP are "
        "counted on (the spatial-layout paper's density indicators); empty where no area of "
        "that boundary is published, never estimated.",
        "各区及功能区的土地面积（与其人口、地区生产总值统计口径一致），用于城市空间布局专题的密度"
        "指标；找不到该口径面积的留空，不作估算。",
        "Municipal Natural Resources and Planning Bureau", "市自然资源和规划局",
        columns=(
            _c("district", "str", "district", "区", ref="districts.district"),
            _c("area", "float", "land area, km2; empty = not sourced", "土地面积（平方公里）；"
               "空白=无来源", required=False, min=0, min_exclusive=True, unit="km2"),
            _year("year of the boundary", "面积对应年份"),
            _c("source", "str", "source or why it is empty (see SOURCES.md)", "来源或留空原因"),
        ),
        key=("district",),
        optional=True,
    ),
    Table(
        "behaviour",
        "Behaviour measures of the low-carbon living paper (绿色低碳生活): the share of a "
        "sector's CO2 each removes (low, central, high), applied to the sector's CO2 on the "
        "pathway as an ex-post wedge that the optimisation does not see; empty shares = not "
        "quantified yet (data_needed says what would quantify it).",
        "绿色低碳生活专题的行为措施：各措施减少所作用行业二氧化碳排放的比例（低、中、高），在优化路径"
        "之外按行业排放事后计算；比例空白表示尚未量化（data_needed 说明所需数据）。",
        *EEB,
        columns=(
            _c("measure", "str", "behaviour measure id", "行为措施代码"),
            _NAME_ZH,
            _NAME_EN,
            _c("sector", "str", "sector whose CO2 it reduces", "作用行业", ref="sectors.sector"),
            _c("low", "float", "share of the sector's CO2 removed, low", "减排比例（低）",
               required=False, min=0, max=1, unit="1"),
            _c("central", "float", "share of the sector's CO2 removed, central",
               "减排比例（中）", required=False, min=0, max=1, unit="1"),
            _c("high", "float", "share of the sector's CO2 removed, high", "减排比例（高）",
               required=False, min=0, max=1, unit="1"),
            _c("start_year", "int", "first year it acts", "起始年份", min=1990, max=2100),
            _c("source", "str", "source or derivation of the shares (see SOURCES.md)",
               "来源或推算方法"),
            _c("data_needed", "str", "what data would quantify or improve it", "所需数据",
               required=False),
        ),
        key=("measure",),
        optional=True,
    ),
)

#: how an overlay unit (district_overlays.csv) relates to its host unit of districts.csv
OVERLAY_RELATIONS = ("co_administered", "part_of")
OVERLAY_KINDS = ("suburban", "zone", "new_area")
#: ownership of an enterprise with a carbon-reduction action plan (soe_enterprises.csv)
OWNERSHIPS = ("municipal", "central")
SASAC = ("Municipal State-owned Assets Supervision and Administration Commission", "市国资委")

#: administrative units that overlay the partition of districts.csv and the state-owned
#: enterprises with action plans (issue 10 §4, §5); appended so that the other tables keep
#: their order
TABLES = (
    *TABLES,
    Table(
        "district_overlays",
        "Administrative units that are not rows of districts.csv because they overlay it: one "
        "row per host unit. co_administered: the same administration as the host (same "
        "numbers, never added again); part_of: an area carved out of the host, with its share "
        "only where a sourced share exists.",
        "与分区（districts.csv）重叠的行政或功能单元，每个所在区一行。co_administered：与所在区"
        "为同一管理机构（同一套数据，不重复计入）；part_of：从所在区划出的部分区域，仅在有来源时"
        "给出比例。",
        *STATS,
        columns=(
            _c("unit", "str", "overlay unit id (not a districts.csv id)", "单元代码"),
            _NAME_ZH,
            _NAME_EN,
            _c("kind", "str", "kind of unit", "单元类型", allowed=OVERLAY_KINDS),
            _c("host", "str", "host unit of the partition", "所在区（分区单元）",
               ref="districts.district"),
            _c("relation", "str", "co_administered (same administration, same numbers) or "
               "part_of (an area carved out of the host)",
               "关系：合署/托管（同一套数据）或部分区域",
               allowed=OVERLAY_RELATIONS),
            _c("covers_zh", "str", "what part of the host the unit covers (Chinese)",
               "覆盖所在区的范围"),
            _c("covers_en", "str", "what part of the host the unit covers (English)",
               "覆盖范围（英文）"),
            _c("share", "float", "the unit's share of the host's activity, only where sourced "
               "(part_of); empty otherwise", "占所在区活动水平比例（仅在有来源时填写）",
               required=False, min=0, max=1, min_exclusive=True),
            _c("share_basis", "str", "what the share is derived from", "比例依据",
               required=False),
            _c("lead_zh", "str", "lead of the unit's report (management committee)",
               "牵头单位（管委会）"),
            _c("lead_en", "str", "lead (English)", "牵头单位（英文）"),
            _c("source", "str", "source or derivation (see SOURCES.md)", "来源或推算方法"),
        ),
        key=("unit", "host"),
        optional=True,
    ),
    Table(
        "soe_enterprises",
        "State-owned enterprises that write a carbon-reduction action plan (碳减排行动方案): "
        "the city-owned ones (市属出资企业, supervised by 市国资委) with at least 1 万tce of "
        "energy use in a year of the 13th FYP, and the central SOEs in Wuhan (央企) kept as "
        "key enterprises. One row per enterprise and sector; share and energy only where "
        "sourced (empty: 市国资委 to fill).",
        "编制碳减排行动方案的国有企业：“十三五”期间年综合能耗1万tce及以上的市属出资企业"
        "（市国资委监管），以及作为重点企业保留的在汉央企。每个企业每个行业一行；占行业比例与"
        "能耗仅在有来源时填写（空白由市国资委填报）。",
        *SASAC,
        columns=(
            _c("enterprise", "str", "enterprise id", "企业代码"),
            _NAME_ZH,
            _NAME_EN,
            _c("ownership", "str", "municipal (市属出资) or central (央企)", "出资关系",
               allowed=OWNERSHIPS),
            _c("supervisor_zh", "str", "supervising body", "监管机构"),
            _c("supervisor_en", "str", "supervising body (English)", "监管机构（英文）"),
            _c("sector", "str", "model sector of the enterprise's activity", "所属行业",
               ref="sectors.sector"),
            _c("share", "float", "the enterprise's share of the city's activity of the "
               "sector, only where sourced", "占全市该行业活动水平比例（有来源时填写）",
               required=False, min=0, max=1, min_exclusive=True),
            _c("share_basis", "str", "what the share is derived from", "比例依据",
               required=False),
            _c("energy_13fyp", "float", "highest annual energy use in 2016-2020, 万tce "
               "(empty: not yet reported)", "“十三五”期间最高年综合能耗（万tce；空白为待填报）",
               required=False, min=0, unit="万tce"),
            _c("energy_source", "str", "source of the energy figure", "能耗数据来源",
               required=False),
            _c("source", "str", "source of the name, ownership and sector (see SOURCES.md)",
               "企业名称、出资关系与行业的来源"),
        ),
        key=("enterprise", "sector"),
        optional=True,
    ),
)

#: tags of a row's evidence (SOURCES.md): sourced, recalled, estimate or judgement
EVIDENCE_TAGS = ("S", "R", "E")
FINANCE = ("Municipal Local Financial Bureau", "市地方金融局")

#: the green-finance paper's classification of the measures (issue 10 §3); appended so that
#: the other tables keep their order
TABLES = (
    *TABLES,
    Table(
        "measure_finance",
        "Each measure's category in the green bond catalogue (绿色债券支持项目目录, 2021 "
        "edition, PBoC, NDRC and CSRC) and whether it is in the scope of the PBoC carbon "
        "emission reduction facility (碳减排支持工具, 2021-11). An empty catalogue_code means "
        "the measure fits no category (basis says why); the first digit of the code is the "
        "catalogue's first level (1-6).",
        "各措施在《绿色债券支持项目目录（2021年版）》中的类别，以及是否属于人民银行碳减排支持"
        "工具（2021年11月）的支持领域；目录编号为空表示不属于任何类别（basis 说明原因），"
        "编号首位为目录一级分类（1-6）。",
        *FINANCE,
        columns=(
            _c("measure", "str", "measure", "措施", ref="measures.measure"),
            _c("catalogue_code", "str", "catalogue code, first digit = first level (1-6), "
               "e.g. 3.2; empty = no category", "目录编号（首位为一级分类1-6）；空白=不属于目录",
               required=False),
            _c("catalogue_zh", "str", "catalogue item (Chinese)", "目录条目名称",
               required=False),
            _c("catalogue_en", "str", "catalogue item (English)", "目录条目名称（英文）",
               required=False),
            _c("carbon_facility", "str", "in the carbon emission reduction facility's scope",
               "是否属于碳减排支持工具支持领域", allowed=("true", "false")),
            _c("tag", "str", "weakest evidence of the row: S sourced, R recalled, E judgement",
               "依据类型：S 有来源，R 回忆，E 判断", allowed=EVIDENCE_TAGS),
            _c("basis", "str", "why the measure is (or is not) in the category and the "
               "facility", "归类依据或不纳入原因"),
            _c("source", "str", "source (see SOURCES.md)", "来源"),
        ),
        key=("measure",),
        optional=True,
    ),
)

TABLE_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    return TABLE_BY_NAME[name]
