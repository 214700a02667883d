"""Simplified Chinese translations of the interface (source text -> 简体中文).

``python -m ui.i18n.build`` writes these into ``gridplanner_zh_CN.ts`` and compiles
the ``.qm`` file the app loads. Terms follow the usage of grid governance offices:
网格长, 专职网格员, 网格警长, 兼职网格员, 雪亮工程.
"""

from __future__ import annotations

ZH: dict[str, str] = {
    # menus and actions
    "&File": "文件(&F)", "&Edit": "编辑(&E)", "&View": "视图(&V)", "&Analysis": "分析(&A)",
    "&Settings": "设置(&S)", "&Help": "帮助(&H)", "&Export": "导出(&X)",
    "&New project": "新建项目(&N)", "&Open project…": "打开项目(&O)…",
    "Open &recent": "最近打开(&R)", "&Save": "保存(&S)", "Save &as…": "另存为(&A)…",
    "&Import layers…": "导入图层(&I)…", "&Quit": "退出(&Q)",
    "HTML map…": "HTML 交互地图…", "Reports (XLSX/CSV)…": "报表 (XLSX/CSV)…",
    "Result layers (GeoPackage)…": "结果图层 (GeoPackage)…",
    "Image of the view (PNG)…": "当前视图图片 (PNG)…",
    "Zoom to full extent": "缩放到全图", "Zoom to layer": "缩放到图层",
    "Zoom to selection": "缩放到所选", "Clear selection": "清除选择",
    "Pan": "平移", "Identify": "识别", "Select": "选择",
    "Click or drag a box on the current layer; Shift adds":
        "在当前图层上单击或拖框选择；按住 Shift 追加",
    "Undo": "撤销", "Redo": "重做", "Language": "界面语言", "Follow the system": "跟随系统",
    "About GridPlanner": "关于 GridPlanner", "Tools": "工具栏",
    "简体中文": "简体中文", "English": "English",
    # docks
    "Layers": "图层", "Attribute table": "属性表", "Checks": "检查", "Analysis": "分析",
    "Editing": "编辑", "Scenarios": "方案",
    # layer names
    "Service areas": "服务区域", "Grids": "网格", "Cameras": "摄像头",
    "Households": "住户", "Roads": "道路", "Staff": "人员", "Facilities": "设施",
    "Buildings": "建筑", "Incidents": "事件",
    # layer panel and table
    "Up": "上移", "Down": "下移", "Style…": "样式…", "Opacity": "透明度",
    "Filter rows…": "筛选行…", "{n} rows": "{n} 行", "Field": "字段", "Value": "值",
    # status
    "Cancel": "取消", "Cancelled": "已取消", "render {ms:.0f} ms": "渲染 {ms:.0f} 毫秒",
    "Untitled": "未命名", "Running: {what}": "正在运行：{what}",
    "Finished: {what}": "已完成：{what}", "Opening {path}…": "正在打开 {path}…",
    "Opened {path}": "已打开 {path}", "Autosaved": "已自动保存",
    # dialogs and messages
    "Unsaved changes": "未保存的修改",
    "The project has unsaved changes. Save them first?": "项目有未保存的修改，是否先保存？",
    "Save": "保存", "Discard": "不保存", "Recover unsaved work": "恢复未保存的工作",
    "GridPlanner did not close normally last time. Open the autosaved work from {path}?":
        "GridPlanner 上次未正常关闭。是否打开自动保存的工作 {path}？",
    "… ({n} more lines under Show Details)": "…（另有 {n} 行，见“显示详细信息”）",
    "Recover": "恢复", "Delete it": "删除", "Keep it for later": "保留，稍后再说",
    "Delete the autosaved work for good? It cannot be recovered after.":
        "永久删除自动保存的工作？删除后无法恢复。",
    "The autosave could not be kept": "无法保留自动保存的文件",
    "The autosaved work was kept as {name}; open it to look at it.":
        "自动保存的工作已另存为 {name}，可打开查看。",
    "Recovered unsaved work: save it with Save as": "已恢复未保存的工作：请用“另存为”保存",
    "The project is in use": "项目正在被使用", "Open read-only": "只读打开",
    "Opened read-only: the project is open for changes elsewhere. Save your work under "
    "another name.": "已只读打开：该项目正在别处编辑。请将您的工作另存为其他文件名。",
    "Opened read-only: the folder cannot be written to. Save your work under another "
    "name.": "已只读打开：该文件夹不可写入。请将您的工作另存为其他文件名。",
    "Save your work under another name (Save as).": "请将您的工作另存为其他文件名（另存为）。",
    "The file changed on disk": "文件已在磁盘上被修改",
    "{path} was changed by another program since you opened it. Saving over it throws "
    "those changes away.": "{path} 在您打开后已被其他程序修改。覆盖保存将丢弃这些修改。",
    "Save as…": "另存为…", "Overwrite": "覆盖",
    "Open project": "打开项目", "Save project as": "项目另存为",
    "The project cannot be opened": "无法打开项目", "The project cannot be saved": "无法保存项目",
    "Problem": "问题", "The analysis could not run": "分析无法运行",
    "The result cannot be shown": "无法显示结果", "The edit was not applied": "编辑未生效",
    "GridPlanner {v}: grids, cameras and grid workers for grid governance.":
        "GridPlanner {v}：面向网格化管理的网格、视频监控与网格员规划工具。",
    # import
    "Import layers": "导入图层", "file (optional)": "文件（可选）", "Browse…": "浏览…",
    "Source coordinates": "源坐标系", "As declared by each file": "按文件自带坐标系",
    "WGS84 (EPSG:4326, GPS)": "WGS84 (EPSG:4326, GPS)",
    "CGCS2000 (EPSG:4490)": "CGCS2000 国家大地坐标系 (EPSG:4490)",
    "GCJ-02 (Amap, Tencent)": "GCJ-02 火星坐标（高德、腾讯）",
    "BD-09 (Baidu)": "BD-09 百度坐标",
    "Press Check to read the files and list problems.": "点击“检查”读取文件并列出问题。",
    "Check": "检查", "Import": "导入", "Problems found": "发现的问题",
    "Choose the {layer} file": "选择{layer}文件", "Reading…": "正在读取…",
    "{n} layers read without errors.": "已读取 {n} 个图层，无错误。",
    "{layer}: {count} features": "{layer}：{count} 个要素",
    "{n} warnings (the data is kept):": "{n} 条警告（数据已保留）：",
    "The files cannot be imported yet:": "文件暂时无法导入：",
    # style
    "Style of {layer}": "{layer} 的样式", "Single colour": "单一颜色",
    "Categorised by a field": "按字段分类", "Graduated by a figure": "按数值分级",
    "(none)": "（无）", "Style": "样式", "Classes": "分级数", "Colour": "颜色",
    "Size / width (px)": "大小/线宽（像素）", "Fill opacity": "填充不透明度", "Label": "标注",
    # checks
    "Run checks": "运行检查", "{n} findings": "{n} 项发现",
    "Gap between grids": "网格间空隙", "Overlapping grids": "网格重叠",
    "Grid crosses its community boundary": "网格越出所属社区边界",
    "Unknown community": "社区不存在", "Empty grid": "空网格", "Invalid shape": "图形无效",
    "Grid in several parts": "网格不连续（多部分）", "Sliver": "细长碎片",
    "Households outside the band": "户数超出范围", "Household in no grid": "住户不在任何网格内",
    "Household in two grids": "住户落在两个网格内", "Not compact": "形状不紧凑",
    "Missing 1+1+1 staff": "缺少 1+1+1 人员", "Duplicate grid code": "网格编码重复",
    "Malformed grid code": "网格编码格式错误",
    # analysis
    "Run": "运行", "Accept into a new scenario": "采纳为新方案",
    "Camera coverage": "视频覆盖分析", "Camera siting (K new cameras)": "新增摄像头选址（K 个）",
    "Allocate households to staff": "住户分配给网格员", "Place new staff": "新增人员选址",
    "Facility service areas": "设施服务范围", "Grid checks": "网格检查",
    "Balanced grid proposal": "均衡网格划分建议",
    "Accept sites into a new scenario": "将选址采纳为新方案",
    "Accept new staff into a new scenario": "将新增人员采纳为新方案",
    "Accept proposal into a new scenario": "将划分建议采纳为新方案",
    "Incident lookup (click the map)": "事件查询（点击地图）", "Incident": "事件",
    "Running {name}…": "正在运行 {name}…",
    "Include offline cameras": "包含离线摄像头", "Buildings block the view": "建筑遮挡视线",
    "Coverage done: red grids and dark red areas are the gaps.":
        "覆盖分析完成：红色网格和深红色区域为监控盲区。",
    "Coverage per grid": "网格视频覆盖率", "Coverage gaps": "监控盲区",
    "Households not seen": "未覆盖住户", "Intersections not seen": "未覆盖路口",
    "Households by walking distance": "住户步行距离", "Household to worker": "住户—网格员连线",
    "Unassigned households": "未分配住户", "Proposed camera sites": "建议摄像头点位",
    "Proposed staff places": "建议人员位置",
    "Assign grid heads to grids": "网格长与网格匹配",
    "Grid heads matched to grids; {n} grids without a head.":
        "网格长已与网格匹配；{n} 个网格无网格长。",
    "At least {pct:.0f}% of the best possible gain.": "至少达到最优增益的 {pct:.0f}%。",
    "Camera views of the proposed sites": "建议点位的视野", "Scenario comparison": "方案比较",
    "District covered:": "全区覆盖率：", "households": "住户", "intersections": "路口",
    "area": "面积", "{n} household points not seen.": "{n} 个住户点未被覆盖。",
    "New cameras (K)": "新增摄像头数量 (K)",
    "{n} camera sites proposed; accept them into a scenario to compare.":
        "建议 {n} 个摄像头点位；可采纳为方案进行比较。",
    "Full-time grid workers": "专职网格员", "Grid heads": "网格长", "Police": "网格警长",
    "Part-time workers": "兼职网格员", "Role": "角色",
    "Only within the household's grid": "仅在住户所属网格内分配",
    "Allocation done.": "分配完成。",
    "Mean walk {mean:,.0f} m, max {max:,.0f} m.": "平均步行 {mean:,.0f} 米，最远 {max:,.0f} 米。",
    "{n} households unassigned.": "{n} 户未分配。", "New staff": "新增人数",
    "Proposed places for new staff are on the map.": "新增人员的建议位置已显示在地图上。",
    "Service areas of the facilities are on the map.": "设施服务范围已显示在地图上。",
    "{n} findings; see the Checks tab.": "{n} 项发现，见“检查”页。",
    "Community (empty: all)": "社区（留空为全部）", "Households at least": "户数下限",
    "Households at most": "户数上限",
    "Proposal on the map (layer balanced_grids); accept it into a scenario to compare with "
    "the current grids.":
        "划分建议已显示在地图上（图层 balanced_grids）；可采纳为方案与现状网格比较。",
    "New scenario": "新建方案", "Scenario name": "方案名称", "proposal": "建议方案",
    "accepted from {what}": "采纳自 {what}",
    "The scenario was not created": "方案未创建",
    # editing
    "Move shared vertex": "移动公共节点", "Drag a grid corner; neighbours follow":
        "拖动网格节点，相邻网格同步变化",
    "Reshape boundary": "调整边界",
    "Draw a new line between two grids; double-click to finish":
        "在两个网格之间绘制新边界线，双击结束",
    "Split grid by line": "按线拆分网格", "Draw a line across the selected grid":
        "绘制一条穿过所选网格的线",
    "Merge selected grids": "合并所选网格", "Reassign households (box)": "调整住户归属（框选）",
    "Select the receiving grid, then drag a box over households":
        "先选择接收网格，再框选住户",
    "Reassign households (lasso)": "调整住户归属（套索）",
    "Lock selected grids": "锁定所选网格", "Unlock selected grids": "解锁所选网格",
    "Editing is not available": "编辑功能不可用",
    "This build has no grid-editing engine.": "此版本不含网格编辑引擎。",
    "Draw the new line between exactly two neighbouring grids (or select the two grids "
    "first).": "请在恰好两个相邻网格之间绘制新边界线（或先选择这两个网格）。",
    "Merge grids": "合并网格",
    "Select two or more neighbouring grids first (Shift adds to the selection).":
        "请先选择两个或以上相邻网格（按住 Shift 追加选择）。",
    "Reassign households": "调整住户归属",
    "Select the one grid that should receive the households first.":
        "请先选择接收这些住户的网格（一个）。",
    "Lock grids": "锁定网格", "Select grids first.": "请先选择网格。",
    "Live figures of the edited grids": "所编辑网格的实时指标",
    "Edit history (click a step to go back to it)": "编辑历史（点击某一步可回到该步）",
    "Grid": "网格", "Band": "户数范围", "Compactness": "紧凑度", "Coverage": "视频覆盖率",
    "(start)": "（初始）", "gone": "已删除", "in band": "适中", "below": "偏少", "above": "偏多",
    "Edit a grid to see its households, compactness and coverage against the values before "
    "the edit.": "编辑网格后，这里显示其户数、紧凑度和视频覆盖率，以及与编辑前的对比。",
    "Green: better than before the edit; red: worse.": "绿色：优于编辑前；红色：变差。",
    # scenarios
    "Create from current edits": "由当前编辑创建方案", "Rename": "重命名", "Delete": "删除",
    "Show on map": "在地图上显示", "Compare ticked": "比较勾选的方案",
    "with coverage": "含视频覆盖", "with walking allocation": "含步行分配",
    "Comparison": "方案比较", "current data": "现状数据", "on the map": "地图显示中",
    "The map shows scenario '{name}' (read-only). Show 'current data' to edit.":
        "地图显示的是方案“{name}”（只读）。显示“现状数据”后可编辑。",
    "{n} edits": "{n} 步编辑", "Rename scenario": "重命名方案", "New name": "新名称",
    "The scenario was not renamed": "方案未重命名", "The scenario was not deleted": "方案未删除",
    "The scenario cannot be shown": "无法显示该方案", "Compare scenarios": "比较方案",
    "Tick two or more scenarios to compare.": "请勾选两个或以上方案进行比较。",
    "Figure": "指标", "no value": "无数据",
    "{g} grid changes and {s} staff changes against the first scenario; changed grids are "
    "outlined on the map.":
        "相对第一个方案：网格变化 {g} 处，人员变化 {s} 处；变化的网格已在地图上勾出。",
    # export
    "Export the HTML map": "导出 HTML 地图", "Export reports (XLSX/CSV)": "导出报表 (XLSX/CSV)",
    "Export result layers (GeoPackage)": "导出结果图层 (GeoPackage)",
    "Export an image of the view": "导出当前视图图片", "File": "文件",
    "Chinese headers and labels": "中文表头和标签",
    "Include names, phones and ID numbers": "包含姓名、电话和身份证号",
    "Colour grids by": "网格着色依据", "Households against the band": "户数是否在范围内",
    "Walking distance": "步行距离", "Width (px)": "宽度（像素）", "Height (px)": "高度（像素）",
    "Export": "导出", "Close": "关闭", "Writing {path}…": "正在写入 {path}…",
    "Written:": "已写入：",
}
