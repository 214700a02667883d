"""Chinese and English labels of the key figures and of table columns."""

from __future__ import annotations

#: Key figures in report order: key -> (Chinese, English, unit, which way is better).
FIGURES: dict[str, tuple[str, str, str, str]] = {
    "staff_grid_head": ("网格长人数", "Grid heads", "", ""),
    "staff_full_time": ("专职网格员人数", "Full-time grid workers", "", ""),
    "staff_police": ("网格警长人数", "Grid police officers", "", ""),
    "staff_part_time": ("兼职网格员人数", "Part-time grid workers", "", ""),
    "staff_cost_yuan": ("人员年度成本(元)", "Staff cost per year (yuan)", "yuan", "lower"),
    "households_total": ("住户总数", "Households", "", ""),
    "households_per_worker_mean": ("每名专职服务户数(平均)",
                                   "Households per full-time worker (mean)", "", ""),
    "households_per_worker_max": ("每名专职服务户数(最大)",
                                  "Households per full-time worker (max)", "", "lower"),
    "walk_mean_m": ("步行距离均值(米)", "Walking distance, mean (m)", "m", "lower"),
    "walk_p95_m": ("步行距离95分位(米)", "Walking distance, 95th percentile (m)", "m", "lower"),
    "walk_max_m": ("步行距离最大(米)", "Walking distance, max (m)", "m", "lower"),
    "households_beyond_1km": ("超过1公里住户数", "Households beyond 1 km", "", "lower"),
    "households_unassigned": ("未分配住户数", "Unassigned households", "", "lower"),
    "grids_total": ("网格数", "Grids", "", ""),
    "grids_outside_band": ("户数超出范围的网格数", "Grids outside the household band", "",
                           "lower"),
    "grids_missing_staff": ("缺少1+1+1人员的网格数", "Grids missing 1+1+1 staff", "", "lower"),
    "coverage_households_all": ("住户视频覆盖率(全部,%)", "Households covered, all cameras (%)",
                                "%", "higher"),
    "coverage_households_cat1": ("住户视频覆盖率(一类,%)", "Households covered, category 1 (%)",
                                 "%", "higher"),
    "coverage_households_cat23": ("住户视频覆盖率(二三类,%)",
                                  "Households covered, categories 2-3 (%)", "%", "higher"),
    "coverage_intersections_all": ("路口视频覆盖率(全部,%)",
                                   "Intersections covered, all cameras (%)", "%", "higher"),
    "coverage_intersections_cat1": ("路口视频覆盖率(一类,%)",
                                    "Intersections covered, category 1 (%)", "%", "higher"),
    "coverage_intersections_cat23": ("路口视频覆盖率(二三类,%)",
                                     "Intersections covered, categories 2-3 (%)", "%", "higher"),
    "grids_under_coverage_threshold": ("覆盖率低于阈值的网格数",
                                       "Grids under the coverage threshold", "", "lower"),
}

#: Chinese headers of columns that appear in exported tables.
COLUMNS_ZH: dict[str, str] = {
    "key": "指标代码", "figure": "指标", "figure_zh": "指标", "figure_en": "指标(英文)",
    "grid_id": "网格编码", "community_id": "社区编码", "name": "名称", "kind": "网格类型",
    "households": "住户数", "band_min": "户数下限", "band_max": "户数上限",
    "band_status": "户数状态", "area_m2": "面积(平方米)", "parts": "部件数",
    "polsby_popper": "紧凑度(PP)", "reock": "紧凑度(Reock)",
    "staff_id": "人员编号", "role": "角色", "capacity": "容量(户)", "load": "服务户数",
    "capacity_used_pct": "容量使用率(%)", "mean_distance_m": "平均距离(米)",
    "max_distance_m": "最大距离(米)", "household_id": "住户编号", "distance_m": "距离(米)",
    "change": "变化", "detail": "说明", "scenario": "方案", "before": "变化前", "after": "变化后",
    "lacks": "缺少", "full_time_workers": "专职网格员", "grid_heads": "网格长",
    "police": "网格警长", "workers_assigned": "服务该网格的专职人数",
    "walk_mean_m": "步行距离均值(米)", "walk_max_m": "步行距离最大(米)",
    "households_pct_all": "住户覆盖率(全部,%)", "households_pct_cat1": "住户覆盖率(一类,%)",
    "households_pct_cat23": "住户覆盖率(二三类,%)",
    "intersections_pct_all": "路口覆盖率(全部,%)", "intersections_pct_cat1": "路口覆盖率(一类,%)",
    "intersections_pct_cat23": "路口覆盖率(二三类,%)", "area_pct_all": "面积覆盖率(全部,%)",
    "road_pct_all": "道路覆盖率(全部,%)", "note": "备注", "unit": "单位",
    "phone": "电话", "id_number": "身份证号", "camera_id": "摄像头编号", "category": "类别",
    "reason": "原因", "value": "值", "check": "检查项", "severity": "级别", "message": "说明",
}

#: Words used in change tables and band status, Chinese.
WORDS_ZH: dict[str, str] = {
    "added": "新增", "removed": "删除", "reshaped": "边界调整", "attributes": "属性变化",
    "moved": "位置变化", "role": "角色变化", "grid": "所属网格变化", "capacity_changed": "容量变化",
    "below": "偏少", "above": "偏多", "in band": "适中", "no households": "无住户",
    "grid_head": "网格长", "full_time": "专职网格员", "police": "网格警长",
    "part_time": "兼职网格员",
}


def column_label(column: str, *, chinese: bool) -> str:
    """Return the header for ``column``: Chinese when asked and known, else as is.

    Scenario-suffixed columns (``households [plan B]``) keep their suffix.

    Examples
    --------
    >>> column_label("grid_id", chinese=True)
    '网格编码'
    >>> column_label("households [plan B]", chinese=True)
    '住户数 [plan B]'
    """
    if not chinese:
        return column
    base, sep, rest = column.partition(" [")
    return f"{COLUMNS_ZH.get(base, base)}{sep}{rest}"
