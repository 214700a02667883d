"""Analysis dock: pick an analysis, set its options, run it with progress and cancel.

Each analysis is a small spec (:class:`Spec`): a form, a function run on a worker
thread over the engine, and an ``apply`` step run on the GUI thread that turns the
result into layers on the map and a table here. Runs share the window's analysis
runner, so starting one cancels the one in flight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gridplanner.errors import AnalysisError
from ui.canvas.styles import LayerStyle
from ui.i18n import bind, on_language_change, tr
from ui.panels.attribute_table import FrameModel


@dataclass
class Spec:
    """One analysis the panel offers."""

    key: str
    title: str
    form: Callable[[QFormLayout], dict[str, Any]]
    run: Callable[[Any, dict[str, Any], Any], Any]
    apply: Callable[[Any], None]
    accept_label: str = ""


def _require(module: str, name: str) -> Any:
    """Import an engine function, or explain that this build lacks it."""
    import importlib

    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise AnalysisError(f"this analysis is not available in this build ({module}.{name} "
                            "is missing); update GridPlanner") from exc


def _call(fn: Callable[..., Any], *args: Any, **options: Any) -> Any:
    """Call an engine function with only the keyword options it accepts."""
    import inspect

    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn(*args, **options)
    return fn(*args, **{k: v for k, v in options.items() if k in params})


def _frame_of(result: Any, *names: str) -> Any:
    for name in names:
        value = getattr(result, name, None)
        if isinstance(value, pd.DataFrame):
            return value
        if callable(value) and not isinstance(value, type):
            try:
                value = value()
            except TypeError:
                continue
            if isinstance(value, pd.DataFrame):
                return value
    return None


class AnalysisPanel(QWidget):
    """The analysis dock."""

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window = window
        self.result: Any = None
        self.last_key = ""
        self.coverage: Any = None
        self.allocation: Any = None
        self._coverage_state: Any = None
        self.choice = QComboBox()
        self.stack = QStackedWidget()
        self.run_button = bind(QPushButton(), "setText", "Run")
        self.run_button.clicked.connect(lambda: self.run())
        self.accept_button = QPushButton()
        self.accept_button.setEnabled(False)
        self.accept_button.clicked.connect(self.accept_into_scenario)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model = FrameModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.specs = self._specs()
        self.inputs: dict[str, dict[str, Any]] = {}
        self.labels: dict[str, list[tuple[QLabel, str]]] = {}
        for spec in self.specs:
            page = QWidget()
            form = QFormLayout(page)
            self.inputs[spec.key] = spec.form(form)
            self.stack.addWidget(page)
        self.choice.currentIndexChanged.connect(self.stack.setCurrentIndex)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.accept_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.choice)
        layout.addWidget(self.stack)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self._menu_actions: list[QAction] = []
        on_language_change(self._retranslate)
        self._retranslate()

    # ----------------------------------------------------------------- specs
    def _specs(self) -> list[Spec]:
        return [
            Spec("coverage", "Camera coverage", self._form_coverage, self._run_coverage,
                 self._apply_coverage),
            Spec("siting", "Camera siting (K new cameras)", self._form_siting,
                 self._run_siting, self._apply_siting, "Accept sites into a new scenario"),
            Spec("allocation", "Allocate households to staff", self._form_allocation,
                 self._run_allocation, self._apply_allocation),
            Spec("grid_heads", "Assign grid heads to grids", lambda f: {},
                 self._run_grid_heads, self._apply_grid_heads),
            Spec("placement", "Place new staff", self._form_placement, self._run_placement,
                 self._apply_placement, "Accept new staff into a new scenario"),
            Spec("service_areas", "Facility service areas", lambda f: {},
                 self._run_service_areas, self._apply_service_areas),
            Spec("checks", "Grid checks", lambda f: {}, self._run_checks, self._apply_checks),
            Spec("balancing", "Balanced grid proposal", self._form_balancing,
                 self._run_balancing, self._apply_balancing,
                 "Accept proposal into a new scenario"),
        ]

    def _retranslate(self) -> None:
        index = self.choice.currentIndex()
        self.choice.blockSignals(True)
        self.choice.clear()
        for spec in self.specs:
            self.choice.addItem(tr(spec.title), spec.key)
        self.choice.setCurrentIndex(max(index, 0))
        self.choice.blockSignals(False)
        for pairs in self.labels.values():
            for label, text in pairs:
                label.setText(tr(text))
        self._update_accept()

    def _row(self, form: QFormLayout, key: str, text: str, widget: QWidget) -> QWidget:
        label = QLabel(tr(text))
        self.labels.setdefault(key, []).append((label, text))
        form.addRow(label, widget)
        return widget

    def actions_for_menu(self) -> list[QAction]:
        """One menu action per analysis (selects it and runs it)."""
        actions = []
        for spec in self.specs:
            act = QAction(self.window)
            bind(act, "setText", spec.title)
            act.triggered.connect(lambda _c=False, k=spec.key: self.show_and_run(k))
            actions.append(act)
        incident = QAction(self.window)
        bind(incident, "setText", "Incident lookup (click the map)")
        incident.triggered.connect(self.start_incident_tool)
        actions.append(incident)
        self._menu_actions = actions
        return actions

    def select(self, key: str) -> None:
        """Show the options of analysis ``key``."""
        keys = [s.key for s in self.specs]
        self.choice.setCurrentIndex(keys.index(key))
        self.window.docks["analysis"].raise_()

    def show_and_run(self, key: str) -> None:
        """Select an analysis and run it with its current options."""
        self.select(key)
        self.run(key)

    def run(self, key: str | None = None) -> None:
        """Run an analysis on a worker thread (cancelling any run in flight)."""
        key = key or str(self.choice.currentData())
        spec = next(s for s in self.specs if s.key == key)
        params = {k: _value(w) for k, w in self.inputs[key].items()}
        project = self.window.session.project
        self.summary.setText(tr("Running {name}…").format(name=tr(spec.title)))
        self.window.run_analysis(key, lambda fb: spec.run(project, params, fb),
                                 lambda result: self._finished(spec, result))

    def _finished(self, spec: Spec, result: Any) -> None:
        self.result = result
        self.last_key = spec.key
        spec.apply(result)
        self._update_accept()

    def _update_accept(self) -> None:
        spec = next((s for s in self.specs if s.key == self.last_key), None)
        ok = spec is not None and bool(spec.accept_label) and self.result is not None
        self.accept_button.setText(tr(spec.accept_label) if ok and spec else
                                   tr("Accept into a new scenario"))
        self.accept_button.setEnabled(ok)

    def show_table(self, frame: pd.DataFrame | None) -> None:
        """Show a result table under the options."""
        if frame is None:
            frame = pd.DataFrame()
        if isinstance(frame, gpd.GeoDataFrame):
            frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        self.model.set_frame(frame)
        self.table.resizeColumnsToContents()

    def add_layers(self, layers: dict[str, gpd.GeoDataFrame],
                   styles: dict[str, LayerStyle] | None = None) -> None:
        """Put result layers on the map (kept in the project as extra layers)."""
        session = self.window.session
        for name, frame in layers.items():
            if frame is None or not isinstance(frame, gpd.GeoDataFrame):
                continue
            session.add_result_layer(name, frame)
            if styles and name in styles:
                session.stack.set_style(name, styles[name])

    # ------------------------------------------------------------- coverage
    def _form_coverage(self, form: QFormLayout) -> dict[str, Any]:
        offline = QCheckBox()
        buildings = QCheckBox()
        buildings.setChecked(True)
        return {"include_offline": self._row(form, "coverage", "Include offline cameras",
                                             offline),
                "use_buildings": self._row(form, "coverage", "Buildings block the view",
                                           buildings)}

    @staticmethod
    def _run_coverage(project: Any, params: dict[str, Any], feedback: Any) -> Any:
        try:
            state_cls = _require("gridplanner.coverage", "CoverageState")
        except AnalysisError:
            state_cls = None
        if state_cls is not None and hasattr(state_cls, "from_project"):
            # Keep the engine's state: edits then update coverage grid by grid.
            state = _call(state_cls.from_project, project, feedback=feedback, **params)
            return state.result(), state
        compute = _require("gridplanner.coverage", "compute_coverage")
        return _call(compute, project, feedback=feedback, **params), None

    def _apply_coverage(self, pair: Any) -> None:
        result, state = pair
        self.coverage = result
        self._coverage_state = state
        layers = dict(result.layers()) if hasattr(result, "layers") else {}
        keep = {k: v for k, v in layers.items()
                if k in ("grid_coverage", "coverage_gaps", "uncovered_households",
                         "uncovered_intersections")}
        grid_style = LayerStyle(mode="graduated", field="households_pct_all",
                                breaks=(0.0, 20.0, 40.0, 60.0, 80.0, 100.0001),
                                outline="#333333", fill_alpha=0.55, label_field="",
                                size_px=1.0)
        styles = {
            "grid_coverage": grid_style,
            "coverage_gaps": LayerStyle(colour="#99000d", outline="#99000d", fill_alpha=0.25,
                                        size_px=0.0),
            "uncovered_households": LayerStyle(colour="#67000d", size_px=2.5),
            "uncovered_intersections": LayerStyle(colour="#ff7f00", size_px=3.5),
        }
        self.add_layers(keep, styles)
        stack = self.window.session.stack
        for hide in ("households", "buildings"):
            stack.set_visible(hide, False)
        table = getattr(result, "table", None)
        self.show_table(table if isinstance(table, pd.DataFrame) else keep.get("grid_coverage"))
        district = getattr(result, "district", None)
        text = tr("Coverage done: red grids and dark red areas are the gaps.")
        if isinstance(district, pd.DataFrame) and len(district):
            row = district.iloc[0]
            bits = []
            for col, label in (("households_pct_all", "households"),
                               ("intersections_pct_all", "intersections"),
                               ("area_pct_all", "area")):
                if col in district.columns and pd.notna(row[col]):
                    bits.append(f"{tr(label)} {float(row[col]):.1f}%")
            if bits:
                text += " " + tr("District covered:") + " " + ", ".join(bits) + "."
        uncovered = keep.get("uncovered_households")
        if uncovered is not None:
            text += " " + tr("{n} household points not seen.").format(n=f"{len(uncovered):,}")
        self.summary.setText(text)
        shares = {}
        gt = keep.get("grid_coverage")
        if gt is not None and "households_pct_all" in gt.columns:
            shares = dict(zip(gt["grid_id"].astype(str), gt["households_pct_all"], strict=False))
        self.window.edit_panel.set_coverage_baseline(shares)

    def coverage_update(self, changed_ids: list[str]) -> dict[str, float] | None:
        """Household coverage share of the grids an edit changed, recomputed grid-locally.

        Goes through the coverage engine's incremental state (built by the last
        coverage run); None when no coverage has been run.
        """
        state = self._coverage_state
        if state is None or not changed_ids:
            return None
        try:
            rows = state.update(self.window.session.project, changed_grid_ids=changed_ids)
        except Exception:
            return None
        if not isinstance(rows, pd.DataFrame) or "households_pct_all" not in rows.columns:
            return None
        return {str(g): float(v) if pd.notna(v) else float("nan")
                for g, v in zip(rows["grid_id"], rows["households_pct_all"], strict=False)}

    # --------------------------------------------------------------- siting
    def _form_siting(self, form: QFormLayout) -> dict[str, Any]:
        k = QSpinBox()
        k.setRange(1, 500)
        k.setValue(10)
        return {"k": self._row(form, "siting", "New cameras (K)", k)}

    @staticmethod
    def _run_siting(project: Any, params: dict[str, Any], feedback: Any) -> Any:
        try:
            site = _require("gridplanner.coverage", "site_cameras")
        except AnalysisError:
            site = _require("gridplanner.coverage.siting", "site_cameras")
        # The coverage state of the last run is not shared: edits update it on the
        # GUI thread while this runs; siting builds its own.
        return _call(site, project, k=params["k"], feedback=feedback)

    def _apply_siting(self, result: Any) -> None:
        picks = _frame_of(result, "proposed", "picks", "sites")
        views = _frame_of(result, "footprints")
        layers = {}
        if isinstance(views, gpd.GeoDataFrame):
            layers["camera_site_views"] = views
        if isinstance(picks, gpd.GeoDataFrame):
            layers["camera_sites"] = picks
        self.add_layers(layers, {
            "camera_sites": LayerStyle(colour="#00c853", size_px=9.0),
            "camera_site_views": LayerStyle(colour="#00c853", outline="#00732f",
                                            fill_alpha=0.35, size_px=1.0)})
        self.show_table(picks)
        text = tr("{n} camera sites proposed; accept them into a scenario to "
                  "compare.").format(n=0 if picks is None else len(picks))
        guarantee = getattr(result, "guarantee", None)
        if guarantee is not None:
            text += " " + tr("At least {pct:.0f}% of the best possible gain.").format(
                pct=100 * float(guarantee))
        self.summary.setText(text)

    # ----------------------------------------------------------- allocation
    def _form_allocation(self, form: QFormLayout) -> dict[str, Any]:
        role = QComboBox()
        for key, label in (("full_time", "Full-time grid workers"), ("grid_head", "Grid heads"),
                           ("police", "Police"), ("part_time", "Part-time workers")):
            role.addItem(tr(label), key)
        within = QCheckBox()
        return {"role": self._row(form, "allocation", "Role", role),
                "within_grid": self._row(form, "allocation", "Only within the household's grid",
                                         within)}

    @staticmethod
    def _run_allocation(project: Any, params: dict[str, Any], feedback: Any) -> Any:
        allocate = _require("gridplanner.allocation", "allocate")
        result = _call(allocate, project, role=params["role"],
                       within_grid=params["within_grid"], feedback=feedback)
        return result, _assignment_lines(result)

    def _apply_allocation(self, pair: Any) -> None:
        result, lines = pair
        self.allocation = result
        households = _frame_of(result, "assignments", "households", "household_table")
        staff = _frame_of(result, "staff_load", "staff", "staff_table")
        layers: dict[str, gpd.GeoDataFrame] = {}
        if isinstance(households, gpd.GeoDataFrame):
            layers["allocation_households"] = households
        unassigned = _frame_of(result, "unassigned")
        if isinstance(unassigned, gpd.GeoDataFrame):
            layers["unassigned_households"] = unassigned
        if isinstance(lines, gpd.GeoDataFrame):
            layers["allocation_lines"] = lines
        dist_col = next((c for c in ("distance_m", "walk_m", "network_m")
                         if households is not None and c in households.columns), "")
        styles = {"allocation_households": LayerStyle(
            mode="graduated" if dist_col else "single", field=dist_col,
            breaks=(0.0, 250.0, 500.0, 1000.0, 2000.0, 1e9) if dist_col else (), size_px=3.0),
            "allocation_lines": LayerStyle(colour="#6a51a3", size_px=0.8),
            "unassigned_households": LayerStyle(colour="#000000", size_px=6.0)}
        if dist_col:
            styles["allocation_households"] = styles["allocation_households"].with_(
                breaks=(0.0, 250.0, 500.0, 1000.0, 2000.0, 1e9))
        self.add_layers(layers, styles)
        stack = self.window.session.stack
        stack.set_visible("households", False)
        stack.set_visible("allocation_lines", True)
        self.show_table(staff if staff is not None else households)
        text = tr("Allocation done.")
        totals = getattr(result, "totals", None)
        if totals is not None and hasattr(totals, "mean_distance_m"):
            text += " " + tr("Mean walk {mean:,.0f} m, max {max:,.0f} m.").format(
                mean=float(totals.mean_distance_m), max=float(totals.max_distance_m))
            text += " " + tr("{n} households unassigned.").format(
                n=int(getattr(totals, "unassigned_households", 0)))
        elif households is not None and dist_col:
            d = pd.to_numeric(households[dist_col], errors="coerce")
            text += " " + tr("Mean walk {mean:,.0f} m, max {max:,.0f} m.").format(
                mean=float(d.mean()), max=float(d.max()))
        self.summary.setText(text)

    # ------------------------------------------------------------ placement
    def _form_placement(self, form: QFormLayout) -> dict[str, Any]:
        n = QSpinBox()
        n.setRange(1, 200)
        n.setValue(5)
        return {"n": self._row(form, "placement", "New staff", n)}

    @staticmethod
    def _run_placement(project: Any, params: dict[str, Any], feedback: Any) -> Any:
        place = _require("gridplanner.allocation.placement", "place_staff")
        return _call(place, project, n=params["n"], role=params.get("role", "full_time"),
                     feedback=feedback)

    @staticmethod
    def _run_grid_heads(project: Any, params: dict[str, Any], feedback: Any) -> Any:
        assign = _require("gridplanner.allocation.grid_heads", "assign_grid_heads")
        return _call(assign, project, feedback=feedback)

    def _apply_grid_heads(self, result: Any) -> None:
        table = _frame_of(result, "table")
        self.show_table(table)
        missing = int(getattr(result, "grids_without_head", 0))
        self.summary.setText(tr("Grid heads matched to grids; {n} grids without a head.")
                             .format(n=missing))

    def _apply_placement(self, result: Any) -> None:
        sites = _frame_of(result, "sites", "new_staff", "picks")
        if isinstance(sites, gpd.GeoDataFrame):
            self.add_layers({"placement_sites": sites},
                            {"placement_sites": LayerStyle(colour="#00bfa5", size_px=9.0)})
        self.show_table(sites)
        self.summary.setText(tr("Proposed places for new staff are on the map."))

    # -------------------------------------------------------- service areas
    @staticmethod
    def _run_service_areas(project: Any, params: dict[str, Any], feedback: Any) -> Any:
        areas = _require("gridplanner.allocation.service_areas", "service_areas")
        return _call(areas, project, feedback=feedback)

    def _apply_service_areas(self, result: Any) -> None:
        frame = result if isinstance(result, gpd.GeoDataFrame) else _frame_of(
            result, "areas", "polygons", "layer")
        if isinstance(frame, gpd.GeoDataFrame):
            self.add_layers({"facility_service_areas": frame},
                            {"facility_service_areas": LayerStyle(
                                mode="categorised", field="facility_id", fill_alpha=0.35)})
        self.show_table(frame)
        self.summary.setText(tr("Service areas of the facilities are on the map."))

    # --------------------------------------------------------------- checks
    @staticmethod
    def _run_checks(project: Any, params: dict[str, Any], feedback: Any) -> Any:
        from gridplanner.grids.checks import run_checks

        return run_checks(project, feedback=feedback)

    def _apply_checks(self, result: Any) -> None:
        self.window.checks._done(result)
        self.show_table(result.grid_table)
        self.summary.setText(tr("{n} findings; see the Checks tab.").format(n=len(result)))
        self.window.docks["checks"].raise_()

    # ------------------------------------------------------------ balancing
    def _form_balancing(self, form: QFormLayout) -> dict[str, Any]:
        community = QComboBox()
        community.setEditable(True)
        low, high = QSpinBox(), QSpinBox()
        for box, value in ((low, 300), (high, 500)):
            box.setRange(0, 100000)
            box.setValue(value)
        self.window.session.project_replaced.connect(lambda: self._fill_communities(community))
        return {"community_id": self._row(form, "balancing", "Community (empty: all)",
                                          community),
                "min_households": self._row(form, "balancing", "Households at least", low),
                "max_households": self._row(form, "balancing", "Households at most", high)}

    def _fill_communities(self, combo: QComboBox) -> None:
        combo.clear()
        combo.addItem("")
        grids = self.window.session.project.layer("grids")
        if "community_id" in grids.columns:
            combo.addItems(sorted(grids["community_id"].dropna().astype(str).unique()))

    @staticmethod
    def _run_balancing(project: Any, params: dict[str, Any], feedback: Any) -> Any:
        from gridplanner.grids.balance import propose_balanced_grids

        return propose_balanced_grids(project, community_id=params["community_id"] or None,
                                      min_households=params["min_households"],
                                      max_households=params["max_households"],
                                      feedback=feedback)

    def _apply_balancing(self, result: Any) -> None:
        self.add_layers({"balanced_grids": result.grids},
                        {"balanced_grids": LayerStyle(mode="graduated", field="households",
                                                      breaks=(0, result.min_households,
                                                              result.max_households + 1,
                                                              1e9),
                                                      outline="#08306b", fill_alpha=0.45,
                                                      label_field="grid_id")})
        self.show_table(result.figures)
        self.summary.setText(tr("Proposal on the map (layer balanced_grids); accept it into a "
                                "scenario to compare with the current grids."))

    # ------------------------------------------------------- into scenarios
    def accept_into_scenario(self, name: str | None = None) -> str | None:
        """Store the last siting, placement or balancing result as a new scenario."""
        from gridplanner.scenarios import save_scenario
        from layers.errors import GridPlannerError

        project = self.window.session.project
        layers: dict[str, gpd.GeoDataFrame] = {}
        if self.last_key == "balancing":
            layers["grids"] = self.result.grids[[c for c in project.layer("grids").columns
                                                 if c in self.result.grids.columns]]
        elif self.last_key == "siting":
            picks = _frame_of(self.result, "proposed", "picks", "sites")
            if isinstance(picks, gpd.GeoDataFrame):
                picks = picks.assign(status="online")
            layers["cameras"] = _append(project.layer("cameras"), picks, "camera_id", "new_cam")
        elif self.last_key == "placement":
            sites = _frame_of(self.result, "sites", "new_staff", "picks")
            if isinstance(sites, gpd.GeoDataFrame) and "role" not in sites.columns:
                sites = sites.assign(role="full_time")
            layers["staff"] = _append(project.layer("staff"), sites, "staff_id", "new_staff")
        else:
            return None
        name = name or self.window.prompter.ask_text(tr("New scenario"), tr("Scenario name"),
                                                     tr("proposal"))
        if not name:
            return None
        try:
            save_scenario(project, name, layers=layers,
                          description=tr("accepted from {what}").format(what=self.last_key))
        except GridPlannerError as exc:
            self.window.prompter.error(tr("The scenario was not created"), exc.message)
            return None
        self.window.scenarios.refresh()
        return name

    # ------------------------------------------------------------ incidents
    def start_incident_tool(self) -> None:
        """Click the map to see who owns a point and who is nearest."""
        from ui.canvas.tools import PointTool

        self.window.canvas.set_tool(PointTool(lambda x, y, _m: self.incident_at(x, y),
                                              "incident"))

    def incident_at(self, x: float, y: float) -> None:
        """Look up an incident point on a worker thread; the answer goes to Identify."""
        project = self.window.session.project
        points = gpd.GeoDataFrame({"incident_id": ["click"]}, geometry=[shapely.Point(x, y)],
                                  crs=project.crs)

        def work(feedback: Any) -> Any:
            route = _require("gridplanner.routing", "route_incidents")
            return _call(route, project, points, feedback=feedback)

        self.window.run_analysis("incident", work, self._incident_done)

    def _incident_done(self, result: Any) -> None:
        table = result if isinstance(result, pd.DataFrame) else _frame_of(result, "table",
                                                                          "incidents")
        if table is None or not len(table):
            return
        row = table.iloc[0]
        fields = {k: v for k, v in row.items() if k != "geometry"}
        self.window.identify.show_records([(tr("Incident"), fields)])
        self.window.docks["identify"].raise_()


def _assignment_lines(result: Any) -> gpd.GeoDataFrame | None:
    """Straight lines from each household point to its assigned staff member's base."""
    assignments = _frame_of(result, "assignments")
    staff = _frame_of(result, "staff_load")
    if not isinstance(assignments, gpd.GeoDataFrame) or not isinstance(staff, gpd.GeoDataFrame) \
            or "staff_id" not in assignments.columns or not len(assignments):
        return None
    base = dict(zip(staff["staff_id"].astype(str), staff.geometry, strict=False))
    ends = assignments["staff_id"].astype(str).map(base)
    ok = ends.notna().to_numpy()
    a = shapely.get_coordinates(assignments.geometry.to_numpy()[ok])
    b = shapely.get_coordinates(np.asarray(ends[ok].to_list(), dtype=object))
    if len(a) != len(b) or len(a) == 0:
        return None
    coords = np.stack([a, b], axis=1)
    lines = shapely.linestrings(coords)
    return gpd.GeoDataFrame({"household_id": assignments["household_id"].to_numpy()[ok],
                             "staff_id": assignments["staff_id"].to_numpy()[ok]},
                            geometry=lines, crs=assignments.crs)


def _append(base: gpd.GeoDataFrame, new: Any, id_col: str, prefix: str) -> gpd.GeoDataFrame:
    if not isinstance(new, gpd.GeoDataFrame) or not len(new):
        return base
    new = new.to_crs(base.crs) if base.crs is not None and new.crs is not None else new
    rows = gpd.GeoDataFrame({c: new[c] if c in new.columns else None for c in base.columns
                             if c != base.geometry.name},
                            geometry=new.geometry.to_numpy(), crs=base.crs)
    if id_col not in new.columns or rows[id_col].isna().any():
        rows[id_col] = [f"{prefix}_{i + 1}" for i in range(len(rows))]
    rows = rows.rename_geometry(base.geometry.name) if base.geometry.name != "geometry" else rows
    return gpd.GeoDataFrame(pd.concat([base, rows], ignore_index=True), crs=base.crs)


def _value(widget: Any) -> Any:
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QSpinBox):
        return widget.value()
    if isinstance(widget, QComboBox):
        data = widget.currentData()
        return data if data is not None and widget.itemText(widget.currentIndex()) \
            == widget.currentText() else widget.currentText()
    return None
