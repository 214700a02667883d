"""Schemas of the project's layers (SPEC section 2).

A schema names the geometry type, the id column, and every known column with its
type, default, allowed values or range and the other names it often carries in
Chinese source data (``网格编码`` for ``grid_id`` ...), so readers can map them.

Every number column has a documented range; a value outside it (or not finite)
is reported naming row, column and the range:

=============  ===========================  =====================================
layer          column                       allowed
=============  ===========================  =====================================
households     households                   1 to 100,000 per point
households     population                   0 to 1,000,000 per point
cameras        category                     1, 2 or 3
cameras        range_m                      above 0, at most 1,000 m
cameras        azimuth_deg                  0 to below 360
cameras        fov_deg                      above 0, at most 360
roads          speed_kmh                    0 to 150 km/h (0: 4.5 km/h is used)
roads          level                        -20 to 20
staff          capacity                     0 to 100,000 households
facilities     cutoff_m                     0 to 100,000 m
buildings      height_m                     0 to 1,000 m
=============  ===========================  =====================================

Camera values outside their range are warnings (coverage uses the category
default instead); everywhere else they are errors.

Column names longer than 10 bytes also match the form a shapefile cuts them to
(``household_``, ``facility_i``, ``community_``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Camera defaults by category, used when a record leaves range or field of view
#: empty. Category 1 (government cameras at intersections and key places) are
#: mast-mounted with longer lenses; categories 2 and 3 (compound gates, shops) are
#: short-range wall cameras. Values are typical of Sharp Eyes deployment guidance:
#: usable identification distance rather than the lens's theoretical reach.
CAMERA_DEFAULTS: dict[int, dict[str, float]] = {
    1: {"range_m": 60.0, "fov_deg": 90.0},
    2: {"range_m": 35.0, "fov_deg": 80.0},
    3: {"range_m": 25.0, "fov_deg": 70.0},
}

#: Service-area levels, from the largest to the smallest: a parent's level comes
#: before its child's. A county (县) ranks with a district (区), a town or township
#: (镇, 乡) with a street (街道), a village (村) with a community (社区).
ADMIN_LEVELS: tuple[str, ...] = ("province", "city", "district", "street", "community")

#: Other spellings of the levels, as Chinese registers and DataV/Amap files write them.
ADMIN_LEVEL_ALIASES: dict[str, str] = {
    "省": "province", "自治区": "province", "直辖市": "province",
    "市": "city", "地级市": "city", "州": "city", "盟": "city", "prefecture": "city",
    "区": "district", "县": "district", "县级市": "district", "旗": "district",
    "county": "district", "市辖区": "district",
    "街道": "street", "街道办事处": "street", "镇": "street", "乡": "street", "乡镇": "street",
    "苏木": "street", "town": "street", "township": "street", "subdistrict": "street",
    "社区": "community", "村": "community", "居委会": "community", "村委会": "community",
    "嘎查": "community", "village": "community", "neighbourhood": "community",
    "neighborhood": "community",
}

#: Default capacity (households) by staff role.
CAPACITY_DEFAULTS: dict[str, int] = {
    "grid_head": 500,
    "full_time": 500,
    "police": 3000,
    "part_time": 80,
}


@dataclass(frozen=True)
class Column:
    """One attribute column of a layer."""

    name: str
    dtype: str  # "str", "int", "float", "bool", "datetime"
    required: bool = False
    default: Any = None
    choices: tuple[Any, ...] | None = None
    min_value: float | None = None
    max_value: float | None = None
    #: Whether the bounds themselves are allowed (a camera range of 0 m is not).
    min_inclusive: bool = True
    max_inclusive: bool = True
    #: Report an empty value as a warning (the row is kept, a default applies later).
    warn_if_empty: bool = False
    aliases: tuple[str, ...] = ()
    personal: bool = False  # names, phones, ID numbers: kept out of exports by default
    #: Other spellings of allowed values, e.g. ``{"专职网格员": "full_time"}``.
    value_aliases: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    #: "error" rejects the layer on a bad value; "warning" keeps the row and reports it.
    on_bad: str = "error"
    #: An identifier or code kept as text: ``7.0`` from a spreadsheet reads as ``7``.
    code: bool = False

    @property
    def match_names(self) -> tuple[str, ...]:
        """Every name the column is read from: its name, aliases and their cut forms."""
        names = (self.name, *self.aliases)
        cut = [c for n in names for c in shapefile_names(n) if c not in names]
        return (*names, *dict.fromkeys(cut))

    @property
    def range_text(self) -> str:
        """The allowed values in words, e.g. ``"at least 1 and at most 100,000"``."""
        if self.choices is not None:
            return "one of " + ", ".join(map(str, self.choices))
        parts = []
        if self.min_value is not None:
            parts.append(f"{'at least' if self.min_inclusive else 'above'} {self.min_value:,g}")
        if self.max_value is not None:
            parts.append(f"{'at most' if self.max_inclusive else 'below'} {self.max_value:,g}")
        return " and ".join(parts)


#: Longest column name a shapefile's .dbf holds, in bytes.
DBF_NAME_BYTES = 10


def shapefile_names(name: str) -> tuple[str, ...]:
    """Return the forms ``name`` takes in a shapefile, cut to 10 bytes in UTF-8 or GBK.

    Examples
    --------
    >>> shapefile_names("household_id")
    ('household_',)
    >>> shapefile_names("grid_id")
    ()
    """
    out: list[str] = []
    for encoding in ("utf-8", "gbk"):
        try:
            raw = name.encode(encoding)
        except UnicodeEncodeError:
            continue
        if len(raw) > DBF_NAME_BYTES:
            cut = raw[:DBF_NAME_BYTES].decode(encoding, errors="ignore")
            if cut and cut not in out:
                out.append(cut)
    return tuple(out)


@dataclass(frozen=True)
class LayerSchema:
    """Geometry type, id column and columns of one layer."""

    name: str
    geometry: str  # "Polygon", "Point", "LineString"
    columns: tuple[Column, ...]
    id_column: str | None = None
    optional: bool = False
    title_zh: str = ""
    aliases: tuple[str, ...] = field(default=())
    #: Severity of duplicate ids: cameras from several suppliers often repeat ids,
    #: which the coverage checks list, so they load with a warning.
    duplicate_ids: str = "error"

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> list[str]:
        """Names of all known columns, in schema order."""
        return [c.name for c in self.columns]

    @property
    def personal_columns(self) -> list[str]:
        """Columns that hold personal data."""
        return [c.name for c in self.columns if c.personal]


_NAME = Column("name", "str", default="", aliases=("名称", "名字", "NAME", "Name"))

SCHEMAS: dict[str, LayerSchema] = {
    s.name: s
    for s in (
        LayerSchema(
            "grids",
            "Polygon",
            (
                Column(
                    "grid_id",
                    "str",
                    required=True,
                    aliases=("网格编码", "网格编号", "网格代码", "网格ID", "GRID_ID", "wgbm",
                             "code"),
                    code=True,
                ),
                Column("name", "str", default="", aliases=("网格名称", "名称", "NAME", "Name")),
                Column(
                    "community_id",
                    "str",
                    default="",
                    aliases=("社区编码", "社区编号", "所属社区", "COMMUNITY", "sqbm"),
                    code=True,
                ),
                Column(
                    "kind",
                    "str",
                    default="urban",
                    choices=("urban", "rural", "special"),
                    value_aliases={"城市": "urban", "城镇": "urban", "农村": "rural",
                                   "乡村": "rural", "专属": "special", "专属网格": "special"},
                    aliases=("网格类型", "类型", "type"),
                ),
                Column("locked", "bool", default=False, aliases=("锁定",)),
            ),
            id_column="grid_id",
            title_zh="网格",
            aliases=("grid", "网格", "wangge"),
        ),
        LayerSchema(
            "service_areas",
            "Polygon",
            (
                Column(
                    "area_id",
                    "str",
                    required=True,
                    aliases=("区域编码", "社区编码", "街道编码", "行政区划代码", "区划代码",
                             "编码", "AREA_ID", "code"),
                    code=True,
                ),
                _NAME,
                Column(
                    "level",
                    "str",
                    default="community",
                    choices=ADMIN_LEVELS,
                    value_aliases=ADMIN_LEVEL_ALIASES,
                    aliases=("级别", "层级", "行政级别"),
                ),
                Column("parent_id", "str", default="",
                       aliases=("上级编码", "上级区划代码", "所属街道", "parent", "parent_adcode"),
                       code=True),
                Column("committee", "str", default="", aliases=("社区大党委", "党委", "党组织")),
            ),
            id_column="area_id",
            title_zh="服务区域",
            aliases=("service_area", "communities", "community", "社区", "服务区域"),
        ),
        LayerSchema(
            "cameras",
            "Point",
            (
                Column(
                    "camera_id",
                    "str",
                    required=True,
                    aliases=("摄像头编号", "点位编号", "设备编号", "编号", "CAMERA_ID", "id"),
                    code=True,
                ),
                Column(
                    "category",
                    "int",
                    default=None,
                    choices=(1, 2, 3),
                    aliases=("类别", "类型", "分类", "CATEGORY", "cat"),
                    warn_if_empty=True,
                    on_bad="warning",
                ),
                Column(
                    "range_m",
                    "float",
                    default=None,
                    min_value=0.0,
                    min_inclusive=False,
                    # Beyond a kilometre no camera identifies anything: a unit mistake.
                    max_value=1000.0,
                    aliases=("视距", "监控距离", "range"),
                    on_bad="warning",
                ),
                Column(
                    "azimuth_deg",
                    "float",
                    default=None,
                    min_value=0.0,
                    max_value=360.0,
                    max_inclusive=False,
                    aliases=("方位角", "朝向", "azimuth"),
                    on_bad="warning",
                ),
                Column(
                    "fov_deg",
                    "float",
                    default=None,
                    min_value=0.0,
                    min_inclusive=False,
                    max_value=360.0,
                    aliases=("视场角", "视角", "fov"),
                    on_bad="warning",
                ),
                Column(
                    "status",
                    "str",
                    default="online",
                    choices=("online", "offline"),
                    value_aliases={"在线": "online", "离线": "offline", "故障": "offline"},
                    on_bad="warning",
                    aliases=("状态", "在线状态"),
                ),
            ),
            id_column="camera_id",
            duplicate_ids="warning",
            title_zh="摄像头",
            aliases=("camera", "摄像头", "监控", "点位"),
        ),
        LayerSchema(
            "households",
            "Point",
            (
                Column(
                    "household_id",
                    "str",
                    required=True,
                    aliases=("户编号", "楼栋编号", "建筑编号", "编号", "HOUSEHOLD_ID", "id"),
                    code=True,
                ),
                Column(
                    "households",
                    "int",
                    default=1,
                    min_value=1,
                    # A point is a building at most: 100,000 households is a unit mistake.
                    max_value=100_000,
                    aliases=("户数", "住户数", "HOUSEHOLDS"),
                ),
                Column("population", "int", default=None, min_value=0, max_value=1_000_000,
                       aliases=("人口", "人数")),
                Column("address", "str", default="", aliases=("地址", "门牌"), personal=False),
            ),
            id_column="household_id",
            title_zh="住户",
            aliases=("household", "住户", "户籍", "buildings_points"),
        ),
        LayerSchema(
            "roads",
            "LineString",
            (
                Column("road_id", "str", default=None, aliases=("道路编号", "编号", "id"),
                       code=True),
                Column("name", "str", default="", aliases=("道路名称", "路名", "名称")),
                Column("kind", "str", default="", aliases=("道路等级", "等级", "highway")),
                Column("walkable", "bool", default=True, aliases=("可步行", "步行")),
                Column("speed_kmh", "float", default=4.5, min_value=0.0, max_value=150.0,
                       aliases=("速度",)),
                Column("level", "int", default=0, min_value=-20, max_value=20,
                       aliases=("layer", "层", "桥梁层")),
            ),
            id_column="road_id",
            title_zh="道路",
            aliases=("road", "道路", "路网"),
        ),
        LayerSchema(
            "staff",
            "Point",
            (
                Column(
                    "staff_id",
                    "str",
                    required=True,
                    aliases=("人员编号", "工号", "编号", "STAFF_ID", "id"),
                    code=True,
                ),
                Column("name", "str", default="", aliases=("姓名", "名字"), personal=True),
                Column(
                    "role",
                    "str",
                    default="full_time",
                    choices=("grid_head", "full_time", "police", "part_time"),
                    value_aliases={"网格长": "grid_head", "专职网格员": "full_time",
                                   "网格员": "full_time", "网格警长": "police",
                                   "社区民警": "police", "民警": "police",
                                   "兼职网格员": "part_time", "志愿者": "part_time"},
                    aliases=("角色", "岗位", "职务"),
                ),
                Column("capacity", "int", default=None, min_value=0, max_value=100_000,
                       aliases=("服务户数", "容量")),
                Column("grid_id", "str", default="", aliases=("网格编码", "所属网格"), code=True),
                Column("phone", "str", default="", aliases=("电话", "手机", "联系电话"),
                       personal=True, code=True),
                Column("id_number", "str", default="", aliases=("身份证号",), personal=True,
                       code=True),
            ),
            id_column="staff_id",
            title_zh="人员",
            aliases=("staff", "人员", "网格员", "workers"),
        ),
        LayerSchema(
            "facilities",
            "Point",
            (
                Column(
                    "facility_id",
                    "str",
                    required=True,
                    aliases=("设施编号", "编号", "FACILITY_ID", "id"),
                    code=True,
                ),
                Column(
                    "kind",
                    "str",
                    default="other",
                    choices=("party_centre", "mediation_centre", "police_station", "other"),
                    value_aliases={"党群服务中心": "party_centre", "党建综合体": "party_centre",
                                   "矛盾调解中心": "mediation_centre",
                                   "社会矛盾纠纷调处化解中心": "mediation_centre",
                                   "派出所": "police_station", "其他": "other"},
                    aliases=("类型", "设施类型"),
                ),
                _NAME,
                Column("cutoff_m", "float", default=1000.0, min_value=0.0, max_value=100_000.0,
                       aliases=("服务半径",)),
            ),
            id_column="facility_id",
            title_zh="设施",
            aliases=("facility", "设施"),
        ),
        LayerSchema(
            "buildings",
            "Polygon",
            (
                Column("building_id", "str", default=None, aliases=("建筑编号", "编号", "id"),
                       code=True),
                Column("height_m", "float", default=None, min_value=0.0, max_value=1000.0,
                       aliases=("高度", "楼高")),
            ),
            id_column="building_id",
            optional=True,
            title_zh="建筑",
            aliases=("building", "建筑", "楼栋"),
        ),
        LayerSchema(
            "incidents",
            "Point",
            (
                Column("incident_id", "str", default=None, aliases=("事件编号", "编号", "id"),
                       code=True),
                Column("kind", "str", default="", aliases=("事件类型", "类型")),
                Column("time", "datetime", default=None, aliases=("时间", "发生时间", "上报时间")),
            ),
            id_column="incident_id",
            optional=True,
            title_zh="事件",
            aliases=("incident", "事件"),
        ),
    )
}

LAYER_NAMES: tuple[str, ...] = tuple(SCHEMAS)


def schema_for(name: str) -> LayerSchema:
    """Return the schema whose name or alias is ``name`` (case-insensitive).

    Examples
    --------
    >>> schema_for("网格").name
    'grids'
    """
    key = name.strip().lower()
    for schema in SCHEMAS.values():
        if key == schema.name or key in (a.lower() for a in schema.aliases):
            return schema
    raise KeyError(name)
