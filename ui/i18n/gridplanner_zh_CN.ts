<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>GridPlanner</name>
    <message>
        <source>&amp;Analysis</source>
        <translation>分析(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>导出(&amp;X)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Import layers…</source>
        <translation>导入图层(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;New project</source>
        <translation>新建项目(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Open project…</source>
        <translation>打开项目(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>(start)</source>
        <translation>（初始）</translation>
    </message>
    <message>
        <source>About GridPlanner</source>
        <translation>关于 GridPlanner</translation>
    </message>
    <message>
        <source>Accept into a new scenario</source>
        <translation>采纳为新方案</translation>
    </message>
    <message>
        <source>Accept new staff into a new scenario</source>
        <translation>将新增人员采纳为新方案</translation>
    </message>
    <message>
        <source>Accept proposal into a new scenario</source>
        <translation>将划分建议采纳为新方案</translation>
    </message>
    <message>
        <source>Accept sites into a new scenario</source>
        <translation>将选址采纳为新方案</translation>
    </message>
    <message>
        <source>Allocate households to staff</source>
        <translation>住户分配给网格员</translation>
    </message>
    <message>
        <source>Allocation done.</source>
        <translation>分配完成。</translation>
    </message>
    <message>
        <source>Analysis</source>
        <translation>分析</translation>
    </message>
    <message>
        <source>As declared by each file</source>
        <translation>按文件自带坐标系</translation>
    </message>
    <message>
        <source>Assign grid heads to grids</source>
        <translation>网格长与网格匹配</translation>
    </message>
    <message>
        <source>At least {pct:.0f}% of the best possible gain.</source>
        <translation>至少达到最优增益的 {pct:.0f}%。</translation>
    </message>
    <message>
        <source>Attribute table</source>
        <translation>属性表</translation>
    </message>
    <message>
        <source>Autosaved</source>
        <translation>已自动保存</translation>
    </message>
    <message>
        <source>BD-09 (Baidu)</source>
        <translation>BD-09 百度坐标</translation>
    </message>
    <message>
        <source>Balanced grid proposal</source>
        <translation>均衡网格划分建议</translation>
    </message>
    <message>
        <source>Band</source>
        <translation>户数范围</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Buildings</source>
        <translation>建筑</translation>
    </message>
    <message>
        <source>Buildings block the view</source>
        <translation>建筑遮挡视线</translation>
    </message>
    <message>
        <source>CGCS2000 (EPSG:4490)</source>
        <translation>CGCS2000 国家大地坐标系 (EPSG:4490)</translation>
    </message>
    <message>
        <source>Camera coverage</source>
        <translation>视频覆盖分析</translation>
    </message>
    <message>
        <source>Camera siting (K new cameras)</source>
        <translation>新增摄像头选址（K 个）</translation>
    </message>
    <message>
        <source>Camera views of the proposed sites</source>
        <translation>建议点位的视野</translation>
    </message>
    <message>
        <source>Cameras</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Categorised by a field</source>
        <translation>按字段分类</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>Checks</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>Chinese headers and labels</source>
        <translation>中文表头和标签</translation>
    </message>
    <message>
        <source>Choose the {layer} file</source>
        <translation>选择{layer}文件</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>分级数</translation>
    </message>
    <message>
        <source>Clear selection</source>
        <translation>清除选择</translation>
    </message>
    <message>
        <source>Click or drag a box on the current layer; Shift adds</source>
        <translation>在当前图层上单击或拖框选择；按住 Shift 追加</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>颜色</translation>
    </message>
    <message>
        <source>Colour grids by</source>
        <translation>网格着色依据</translation>
    </message>
    <message>
        <source>Community (empty: all)</source>
        <translation>社区（留空为全部）</translation>
    </message>
    <message>
        <source>Compactness</source>
        <translation>紧凑度</translation>
    </message>
    <message>
        <source>Compare scenarios</source>
        <translation>比较方案</translation>
    </message>
    <message>
        <source>Compare ticked</source>
        <translation>比较勾选的方案</translation>
    </message>
    <message>
        <source>Comparison</source>
        <translation>方案比较</translation>
    </message>
    <message>
        <source>Coverage</source>
        <translation>视频覆盖率</translation>
    </message>
    <message>
        <source>Coverage done: red grids and dark red areas are the gaps.</source>
        <translation>覆盖分析完成：红色网格和深红色区域为监控盲区。</translation>
    </message>
    <message>
        <source>Coverage gaps</source>
        <translation>监控盲区</translation>
    </message>
    <message>
        <source>Coverage per grid</source>
        <translation>网格视频覆盖率</translation>
    </message>
    <message>
        <source>Create from current edits</source>
        <translation>由当前编辑创建方案</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete it</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete the autosaved work for good? It cannot be recovered after.</source>
        <translation>永久删除自动保存的工作？删除后无法恢复。</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>不保存</translation>
    </message>
    <message>
        <source>District covered:</source>
        <translation>全区覆盖率：</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Drag a grid corner; neighbours follow</source>
        <translation>拖动网格节点，相邻网格同步变化</translation>
    </message>
    <message>
        <source>Draw a line across the selected grid</source>
        <translation>绘制一条穿过所选网格的线</translation>
    </message>
    <message>
        <source>Draw a new line between two grids; double-click to finish</source>
        <translation>在两个网格之间绘制新边界线，双击结束</translation>
    </message>
    <message>
        <source>Draw the new line between exactly two neighbouring grids (or select the two grids first).</source>
        <translation>请在恰好两个相邻网格之间绘制新边界线（或先选择这两个网格）。</translation>
    </message>
    <message>
        <source>Duplicate grid code</source>
        <translation>网格编码重复</translation>
    </message>
    <message>
        <source>Edit a grid to see its households, compactness and coverage against the values before the edit.</source>
        <translation>编辑网格后，这里显示其户数、紧凑度和视频覆盖率，以及与编辑前的对比。</translation>
    </message>
    <message>
        <source>Edit history (click a step to go back to it)</source>
        <translation>编辑历史（点击某一步可回到该步）</translation>
    </message>
    <message>
        <source>Editing</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Editing is not available</source>
        <translation>编辑功能不可用</translation>
    </message>
    <message>
        <source>Empty grid</source>
        <translation>空网格</translation>
    </message>
    <message>
        <source>English</source>
        <translation>English</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Export an image of the view</source>
        <translation>导出当前视图图片</translation>
    </message>
    <message>
        <source>Export reports (XLSX/CSV)</source>
        <translation>导出报表 (XLSX/CSV)</translation>
    </message>
    <message>
        <source>Export result layers (GeoPackage)</source>
        <translation>导出结果图层 (GeoPackage)</translation>
    </message>
    <message>
        <source>Export the HTML map</source>
        <translation>导出 HTML 地图</translation>
    </message>
    <message>
        <source>Facilities</source>
        <translation>设施</translation>
    </message>
    <message>
        <source>Facility service areas</source>
        <translation>设施服务范围</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Fill opacity</source>
        <translation>填充不透明度</translation>
    </message>
    <message>
        <source>Filter rows…</source>
        <translation>筛选行…</translation>
    </message>
    <message>
        <source>Finished: {what}</source>
        <translation>已完成：{what}</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Full-time grid workers</source>
        <translation>专职网格员</translation>
    </message>
    <message>
        <source>GCJ-02 (Amap, Tencent)</source>
        <translation>GCJ-02 火星坐标（高德、腾讯）</translation>
    </message>
    <message>
        <source>Gap between grids</source>
        <translation>网格间空隙</translation>
    </message>
    <message>
        <source>Graduated by a figure</source>
        <translation>按数值分级</translation>
    </message>
    <message>
        <source>Green: better than before the edit; red: worse.</source>
        <translation>绿色：优于编辑前；红色：变差。</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Grid checks</source>
        <translation>网格检查</translation>
    </message>
    <message>
        <source>Grid crosses its community boundary</source>
        <translation>网格越出所属社区边界</translation>
    </message>
    <message>
        <source>Grid heads</source>
        <translation>网格长</translation>
    </message>
    <message>
        <source>Grid heads matched to grids; {n} grids without a head.</source>
        <translation>网格长已与网格匹配；{n} 个网格无网格长。</translation>
    </message>
    <message>
        <source>Grid in several parts</source>
        <translation>网格不连续（多部分）</translation>
    </message>
    <message>
        <source>GridPlanner did not close normally last time. Open the autosaved work from {path}?</source>
        <translation>GridPlanner 上次未正常关闭。是否打开自动保存的工作 {path}？</translation>
    </message>
    <message>
        <source>GridPlanner {v}: grids, cameras and grid workers for grid governance.</source>
        <translation>GridPlanner {v}：面向网格化管理的网格、视频监控与网格员规划工具。</translation>
    </message>
    <message>
        <source>Grids</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>HTML map…</source>
        <translation>HTML 交互地图…</translation>
    </message>
    <message>
        <source>Height (px)</source>
        <translation>高度（像素）</translation>
    </message>
    <message>
        <source>Household in no grid</source>
        <translation>住户不在任何网格内</translation>
    </message>
    <message>
        <source>Household in two grids</source>
        <translation>住户落在两个网格内</translation>
    </message>
    <message>
        <source>Household to worker</source>
        <translation>住户—网格员连线</translation>
    </message>
    <message>
        <source>Households</source>
        <translation>住户</translation>
    </message>
    <message>
        <source>Households against the band</source>
        <translation>户数是否在范围内</translation>
    </message>
    <message>
        <source>Households at least</source>
        <translation>户数下限</translation>
    </message>
    <message>
        <source>Households at most</source>
        <translation>户数上限</translation>
    </message>
    <message>
        <source>Households by walking distance</source>
        <translation>住户步行距离</translation>
    </message>
    <message>
        <source>Households not seen</source>
        <translation>未覆盖住户</translation>
    </message>
    <message>
        <source>Households outside the band</source>
        <translation>户数超出范围</translation>
    </message>
    <message>
        <source>Identify</source>
        <translation>识别</translation>
    </message>
    <message>
        <source>Image of the view (PNG)…</source>
        <translation>当前视图图片 (PNG)…</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Import layers</source>
        <translation>导入图层</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Incident lookup (click the map)</source>
        <translation>事件查询（点击地图）</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Include names, phones and ID numbers</source>
        <translation>包含姓名、电话和身份证号</translation>
    </message>
    <message>
        <source>Include offline cameras</source>
        <translation>包含离线摄像头</translation>
    </message>
    <message>
        <source>Intersections not seen</source>
        <translation>未覆盖路口</translation>
    </message>
    <message>
        <source>Invalid shape</source>
        <translation>图形无效</translation>
    </message>
    <message>
        <source>Keep it for later</source>
        <translation>保留，稍后再说</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标注</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>图层</translation>
    </message>
    <message>
        <source>Live figures of the edited grids</source>
        <translation>所编辑网格的实时指标</translation>
    </message>
    <message>
        <source>Lock grids</source>
        <translation>锁定网格</translation>
    </message>
    <message>
        <source>Lock selected grids</source>
        <translation>锁定所选网格</translation>
    </message>
    <message>
        <source>Malformed grid code</source>
        <translation>网格编码格式错误</translation>
    </message>
    <message>
        <source>Mean walk {mean:,.0f} m, max {max:,.0f} m.</source>
        <translation>平均步行 {mean:,.0f} 米，最远 {max:,.0f} 米。</translation>
    </message>
    <message>
        <source>Merge grids</source>
        <translation>合并网格</translation>
    </message>
    <message>
        <source>Merge selected grids</source>
        <translation>合并所选网格</translation>
    </message>
    <message>
        <source>Missing 1+1+1 staff</source>
        <translation>缺少 1+1+1 人员</translation>
    </message>
    <message>
        <source>Move shared vertex</source>
        <translation>移动公共节点</translation>
    </message>
    <message>
        <source>New cameras (K)</source>
        <translation>新增摄像头数量 (K)</translation>
    </message>
    <message>
        <source>New name</source>
        <translation>新名称</translation>
    </message>
    <message>
        <source>New scenario</source>
        <translation>新建方案</translation>
    </message>
    <message>
        <source>New staff</source>
        <translation>新增人数</translation>
    </message>
    <message>
        <source>Not compact</source>
        <translation>形状不紧凑</translation>
    </message>
    <message>
        <source>Only within the household's grid</source>
        <translation>仅在住户所属网格内分配</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>透明度</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>Open project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <source>Open read-only</source>
        <translation>只读打开</translation>
    </message>
    <message>
        <source>Opened read-only: the folder cannot be written to. Save your work under another name.</source>
        <translation>已只读打开：该文件夹不可写入。请将您的工作另存为其他文件名。</translation>
    </message>
    <message>
        <source>Opened read-only: the project is open for changes elsewhere. Save your work under another name.</source>
        <translation>已只读打开：该项目正在别处编辑。请将您的工作另存为其他文件名。</translation>
    </message>
    <message>
        <source>Opened {path}</source>
        <translation>已打开 {path}</translation>
    </message>
    <message>
        <source>Opening {path}…</source>
        <translation>正在打开 {path}…</translation>
    </message>
    <message>
        <source>Overlapping grids</source>
        <translation>网格重叠</translation>
    </message>
    <message>
        <source>Overwrite</source>
        <translation>覆盖</translation>
    </message>
    <message>
        <source>Pan</source>
        <translation>平移</translation>
    </message>
    <message>
        <source>Part-time workers</source>
        <translation>兼职网格员</translation>
    </message>
    <message>
        <source>Place new staff</source>
        <translation>新增人员选址</translation>
    </message>
    <message>
        <source>Police</source>
        <translation>网格警长</translation>
    </message>
    <message>
        <source>Press Check to read the files and list problems.</source>
        <translation>点击“检查”读取文件并列出问题。</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Problems found</source>
        <translation>发现的问题</translation>
    </message>
    <message>
        <source>Proposal on the map (layer balanced_grids); accept it into a scenario to compare with the current grids.</source>
        <translation>划分建议已显示在地图上（图层 balanced_grids）；可采纳为方案与现状网格比较。</translation>
    </message>
    <message>
        <source>Proposed camera sites</source>
        <translation>建议摄像头点位</translation>
    </message>
    <message>
        <source>Proposed places for new staff are on the map.</source>
        <translation>新增人员的建议位置已显示在地图上。</translation>
    </message>
    <message>
        <source>Proposed staff places</source>
        <translation>建议人员位置</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>Reassign households</source>
        <translation>调整住户归属</translation>
    </message>
    <message>
        <source>Reassign households (box)</source>
        <translation>调整住户归属（框选）</translation>
    </message>
    <message>
        <source>Reassign households (lasso)</source>
        <translation>调整住户归属（套索）</translation>
    </message>
    <message>
        <source>Recover</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Recover unsaved work</source>
        <translation>恢复未保存的工作</translation>
    </message>
    <message>
        <source>Recovered unsaved work: save it with Save as</source>
        <translation>已恢复未保存的工作：请用“另存为”保存</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Rename scenario</source>
        <translation>重命名方案</translation>
    </message>
    <message>
        <source>Reports (XLSX/CSV)…</source>
        <translation>报表 (XLSX/CSV)…</translation>
    </message>
    <message>
        <source>Reshape boundary</source>
        <translation>调整边界</translation>
    </message>
    <message>
        <source>Result layers (GeoPackage)…</source>
        <translation>结果图层 (GeoPackage)…</translation>
    </message>
    <message>
        <source>Roads</source>
        <translation>道路</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Run checks</source>
        <translation>运行检查</translation>
    </message>
    <message>
        <source>Running {name}…</source>
        <translation>正在运行 {name}…</translation>
    </message>
    <message>
        <source>Running: {what}</source>
        <translation>正在运行：{what}</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save &amp;as…</source>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Save project as</source>
        <translation>项目另存为</translation>
    </message>
    <message>
        <source>Save your work under another name (Save as).</source>
        <translation>请将您的工作另存为其他文件名（另存为）。</translation>
    </message>
    <message>
        <source>Scenario comparison</source>
        <translation>方案比较</translation>
    </message>
    <message>
        <source>Scenario name</source>
        <translation>方案名称</translation>
    </message>
    <message>
        <source>Scenarios</source>
        <translation>方案</translation>
    </message>
    <message>
        <source>Select</source>
        <translation>选择</translation>
    </message>
    <message>
        <source>Select grids first.</source>
        <translation>请先选择网格。</translation>
    </message>
    <message>
        <source>Select the one grid that should receive the households first.</source>
        <translation>请先选择接收这些住户的网格（一个）。</translation>
    </message>
    <message>
        <source>Select the receiving grid, then drag a box over households</source>
        <translation>先选择接收网格，再框选住户</translation>
    </message>
    <message>
        <source>Select two or more neighbouring grids first (Shift adds to the selection).</source>
        <translation>请先选择两个或以上相邻网格（按住 Shift 追加选择）。</translation>
    </message>
    <message>
        <source>Service areas</source>
        <translation>服务区域</translation>
    </message>
    <message>
        <source>Service areas of the facilities are on the map.</source>
        <translation>设施服务范围已显示在地图上。</translation>
    </message>
    <message>
        <source>Show on map</source>
        <translation>在地图上显示</translation>
    </message>
    <message>
        <source>Single colour</source>
        <translation>单一颜色</translation>
    </message>
    <message>
        <source>Size / width (px)</source>
        <translation>大小/线宽（像素）</translation>
    </message>
    <message>
        <source>Sliver</source>
        <translation>细长碎片</translation>
    </message>
    <message>
        <source>Source coordinates</source>
        <translation>源坐标系</translation>
    </message>
    <message>
        <source>Split grid by line</source>
        <translation>按线拆分网格</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Style</source>
        <translation>样式</translation>
    </message>
    <message>
        <source>Style of {layer}</source>
        <translation>{layer} 的样式</translation>
    </message>
    <message>
        <source>Style…</source>
        <translation>样式…</translation>
    </message>
    <message>
        <source>The analysis could not run</source>
        <translation>分析无法运行</translation>
    </message>
    <message>
        <source>The autosave could not be kept</source>
        <translation>无法保留自动保存的文件</translation>
    </message>
    <message>
        <source>The autosaved work was kept as {name}; open it to look at it.</source>
        <translation>自动保存的工作已另存为 {name}，可打开查看。</translation>
    </message>
    <message>
        <source>The edit was not applied</source>
        <translation>编辑未生效</translation>
    </message>
    <message>
        <source>The file changed on disk</source>
        <translation>文件已在磁盘上被修改</translation>
    </message>
    <message>
        <source>The files cannot be imported yet:</source>
        <translation>文件暂时无法导入：</translation>
    </message>
    <message>
        <source>The map shows scenario '{name}' (read-only). Show 'current data' to edit.</source>
        <translation>地图显示的是方案“{name}”（只读）。显示“现状数据”后可编辑。</translation>
    </message>
    <message>
        <source>The project cannot be opened</source>
        <translation>无法打开项目</translation>
    </message>
    <message>
        <source>The project cannot be saved</source>
        <translation>无法保存项目</translation>
    </message>
    <message>
        <source>The project has unsaved changes. Save them first?</source>
        <translation>项目有未保存的修改，是否先保存？</translation>
    </message>
    <message>
        <source>The project is in use</source>
        <translation>项目正在被使用</translation>
    </message>
    <message>
        <source>The result cannot be shown</source>
        <translation>无法显示结果</translation>
    </message>
    <message>
        <source>The scenario cannot be shown</source>
        <translation>无法显示该方案</translation>
    </message>
    <message>
        <source>The scenario was not created</source>
        <translation>方案未创建</translation>
    </message>
    <message>
        <source>The scenario was not deleted</source>
        <translation>方案未删除</translation>
    </message>
    <message>
        <source>The scenario was not renamed</source>
        <translation>方案未重命名</translation>
    </message>
    <message>
        <source>This build has no grid-editing engine.</source>
        <translation>此版本不含网格编辑引擎。</translation>
    </message>
    <message>
        <source>Tick two or more scenarios to compare.</source>
        <translation>请勾选两个或以上方案进行比较。</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>工具栏</translation>
    </message>
    <message>
        <source>Unassigned households</source>
        <translation>未分配住户</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Unknown community</source>
        <translation>社区不存在</translation>
    </message>
    <message>
        <source>Unlock selected grids</source>
        <translation>解锁所选网格</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>WGS84 (EPSG:4326, GPS)</source>
        <translation>WGS84 (EPSG:4326, GPS)</translation>
    </message>
    <message>
        <source>Walking distance</source>
        <translation>步行距离</translation>
    </message>
    <message>
        <source>Width (px)</source>
        <translation>宽度（像素）</translation>
    </message>
    <message>
        <source>Writing {path}…</source>
        <translation>正在写入 {path}…</translation>
    </message>
    <message>
        <source>Written:</source>
        <translation>已写入：</translation>
    </message>
    <message>
        <source>Zoom to full extent</source>
        <translation>缩放到全图</translation>
    </message>
    <message>
        <source>Zoom to layer</source>
        <translation>缩放到图层</translation>
    </message>
    <message>
        <source>Zoom to selection</source>
        <translation>缩放到所选</translation>
    </message>
    <message>
        <source>above</source>
        <translation>偏多</translation>
    </message>
    <message>
        <source>accepted from {what}</source>
        <translation>采纳自 {what}</translation>
    </message>
    <message>
        <source>area</source>
        <translation>面积</translation>
    </message>
    <message>
        <source>below</source>
        <translation>偏少</translation>
    </message>
    <message>
        <source>current data</source>
        <translation>现状数据</translation>
    </message>
    <message>
        <source>file (optional)</source>
        <translation>文件（可选）</translation>
    </message>
    <message>
        <source>gone</source>
        <translation>已删除</translation>
    </message>
    <message>
        <source>households</source>
        <translation>住户</translation>
    </message>
    <message>
        <source>in band</source>
        <translation>适中</translation>
    </message>
    <message>
        <source>intersections</source>
        <translation>路口</translation>
    </message>
    <message>
        <source>no value</source>
        <translation>无数据</translation>
    </message>
    <message>
        <source>on the map</source>
        <translation>地图显示中</translation>
    </message>
    <message>
        <source>proposal</source>
        <translation>建议方案</translation>
    </message>
    <message>
        <source>render {ms:.0f} ms</source>
        <translation>渲染 {ms:.0f} 毫秒</translation>
    </message>
    <message>
        <source>with coverage</source>
        <translation>含视频覆盖</translation>
    </message>
    <message>
        <source>with walking allocation</source>
        <translation>含步行分配</translation>
    </message>
    <message>
        <source>{g} grid changes and {s} staff changes against the first scenario; changed grids are outlined on the map.</source>
        <translation>相对第一个方案：网格变化 {g} 处，人员变化 {s} 处；变化的网格已在地图上勾出。</translation>
    </message>
    <message>
        <source>{layer}: {count} features</source>
        <translation>{layer}：{count} 个要素</translation>
    </message>
    <message>
        <source>{n} camera sites proposed; accept them into a scenario to compare.</source>
        <translation>建议 {n} 个摄像头点位；可采纳为方案进行比较。</translation>
    </message>
    <message>
        <source>{n} edits</source>
        <translation>{n} 步编辑</translation>
    </message>
    <message>
        <source>{n} findings</source>
        <translation>{n} 项发现</translation>
    </message>
    <message>
        <source>{n} findings; see the Checks tab.</source>
        <translation>{n} 项发现，见“检查”页。</translation>
    </message>
    <message>
        <source>{n} household points not seen.</source>
        <translation>{n} 个住户点未被覆盖。</translation>
    </message>
    <message>
        <source>{n} households unassigned.</source>
        <translation>{n} 户未分配。</translation>
    </message>
    <message>
        <source>{n} layers read without errors.</source>
        <translation>已读取 {n} 个图层，无错误。</translation>
    </message>
    <message>
        <source>{n} rows</source>
        <translation>{n} 行</translation>
    </message>
    <message>
        <source>{n} warnings (the data is kept):</source>
        <translation>{n} 条警告（数据已保留）：</translation>
    </message>
    <message>
        <source>{path} was changed by another program since you opened it. Saving over it throws those changes away.</source>
        <translation>{path} 在您打开后已被其他程序修改。覆盖保存将丢弃这些修改。</translation>
    </message>
    <message>
        <source>… ({n} more lines under Show Details)</source>
        <translation>…（另有 {n} 行，见“显示详细信息”）</translation>
    </message>
    <message>
        <source>简体中文</source>
        <translation>简体中文</translation>
    </message>
</context>
</TS>
