"""Whole household points to staff, exactly: an integer program (OR-Tools CP-SAT).

A household point (a building, several households) goes to one staff member
as a whole. The min-cost flow may split points between staff, so its optimum
is only a lower bound; this module solves the whole-point problem itself over
the same candidate arcs:

1. feasibility first: as many households assigned as the capacities allow
   (skipped when the start already assigns all the flow did: nothing whole can
   do better than the flow);
2. then, keeping that many, the least household-metres.

Costs are integer decimetres, as in the flow. The start (e.g. the repaired
flow) is given to the solver as a hint; within ``time_limit_s`` the answer is
proven optimal, or the proven gap to the best bound is reported (never worse
than the start).

Public API
----------
- :func:`solve_whole` -> :class:`WholeSolution`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from gridplanner.allocation.flow import COST_SCALE


@dataclass(frozen=True)
class WholeSolution:
    """Whole-point assignment.

    Attributes
    ----------
    arc
        Chosen arc of each point (index into the arcs given), ``-1`` = unassigned.
    assigned_households, walking_m
        Households assigned and their household-metres.
    optimal
        Whether both stages were proven optimal within the time limit.
    bound_m
        Proven lower bound on the household-metres at this number assigned.
    seconds
        Solver time.
    """

    arc: np.ndarray
    assigned_households: int
    walking_m: float
    optimal: bool
    bound_m: float
    seconds: float

    @property
    def gap_pct(self) -> float:
        """Proven gap of the walking total above its bound (0 when optimal)."""
        if self.walking_m <= 0:
            return 0.0
        return max(100.0 * (self.walking_m - self.bound_m) / self.walking_m, 0.0)


def solve_whole(
    weight: np.ndarray,
    arc_point: np.ndarray,
    arc_staff: np.ndarray,
    arc_cost_m: np.ndarray,
    capacity: np.ndarray,
    *,
    start_arc: np.ndarray | None = None,
    most_assignable: int | None = None,
    time_limit_s: float = 30.0,
    workers: int = 1,
) -> WholeSolution:
    """Assign every point whole to one of its arcs' staff, or to nobody, optimally.

    Parameters
    ----------
    weight
        Households of each point (points of weight 0 are left out).
    arc_point, arc_staff, arc_cost_m
        Candidate arcs: point, staff and walking distance (metres).
    capacity
        Households each staff member may take.
    start_arc
        A feasible start: chosen arc per point (``-1`` = unassigned).
    most_assignable
        An upper bound on the households any assignment can place (e.g. the
        flow's); when the start reaches it, stage 1 is skipped.
    time_limit_s
        Time limit of the whole solve (stage 1, when run, gets half).
    workers
        Solver threads.

    Examples
    --------
    One worker with room for 5; points of 3 households at 100 m and 300 m:
    only one fits, the nearer.

    >>> s = solve_whole(np.array([3, 3]), np.array([0, 1]), np.array([0, 0]),
    ...                 np.array([100.0, 300.0]), np.array([5]))
    >>> s.arc.tolist(), s.assigned_households, s.walking_m, s.optimal
    ([0, -1], 3, 300.0, True)
    """
    t0 = time.perf_counter()
    w = np.asarray(weight, dtype=np.int64)
    ok = (w[arc_point] > 0) & (arc_staff >= 0) & np.isfinite(arc_cost_m)
    arcs = np.flatnonzero(ok)
    ap, ast = arc_point[arcs], arc_staff[arcs]
    cost = np.round(arc_cost_m[arcs] * COST_SCALE).astype(np.int64)
    wa = w[ap]
    start = np.full(len(w), -1, dtype=np.int64) if start_arc is None else np.asarray(
        start_arc, dtype=np.int64)
    start_x = np.zeros(len(arcs), dtype=bool)
    pos_of = np.full(len(arc_point), -1, dtype=np.int64)
    pos_of[arcs] = np.arange(len(arcs))
    chosen = start[start >= 0]
    start_x[pos_of[chosen][pos_of[chosen] >= 0]] = True

    model = cp_model.CpModel()
    x = [model.new_bool_var("") for _ in range(len(arcs))]
    by_point = np.argsort(ap, kind="stable")
    p_bounds = np.searchsorted(ap[by_point], np.arange(len(w) + 1))
    for p in np.flatnonzero(np.diff(p_bounds) > 1).tolist():
        model.add_at_most_one(x[i] for i in by_point[p_bounds[p]:p_bounds[p + 1]].tolist())
    by_staff = np.argsort(ast, kind="stable")
    s_bounds = np.searchsorted(ast[by_staff], np.arange(len(capacity) + 1))
    for s in range(len(capacity)):
        members = by_staff[s_bounds[s]:s_bounds[s + 1]]
        if len(members) and int(wa[members].sum()) > int(capacity[s]):
            model.add(cp_model.LinearExpr.weighted_sum(
                [x[i] for i in members.tolist()], wa[members].tolist())
                <= max(int(capacity[s]), 0))
    for i in np.flatnonzero(start_x).tolist():
        model.add_hint(x[i], True)
    for i in np.flatnonzero(~start_x).tolist():
        model.add_hint(x[i], False)
    served = cp_model.LinearExpr.weighted_sum(x, wa.tolist())
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(int(workers), 1)
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    optimal = True
    best_x = start_x
    target = int(wa[start_x].sum())
    if most_assignable is None or target < most_assignable:
        # Stage 1: as many households as the capacities allow.
        model.maximize(served)
        solver.parameters.max_time_in_seconds = float(time_limit_s) / 2.0
        status = solver.solve(model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            got = np.array([solver.boolean_value(v) for v in x], dtype=bool)
            if int(wa[got].sum()) > target:
                best_x, target = got, int(wa[got].sum())
            optimal = status == cp_model.OPTIMAL
        else:
            optimal = False
        model.clear_hints()
        for i in np.flatnonzero(best_x).tolist():
            model.add_hint(x[i], True)
        for i in np.flatnonzero(~best_x).tolist():
            model.add_hint(x[i], False)
    # Stage 2: that many households, the least walking.
    model.add(served >= target)
    model.minimize(cp_model.LinearExpr.weighted_sum(x, (wa * cost).tolist()))
    solver.parameters.max_time_in_seconds = max(
        float(time_limit_s) - (time.perf_counter() - t0), 0.1)
    status = solver.solve(model)
    start_cost = int((wa * cost)[best_x].sum())
    bound_dm = 0.0
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        got = np.array([solver.boolean_value(v) for v in x], dtype=bool)
        if int((wa * cost)[got].sum()) <= start_cost:
            best_x = got
        bound_dm = float(solver.best_objective_bound)
        optimal = optimal and status == cp_model.OPTIMAL
    else:
        optimal = False
    out = np.full(len(w), -1, dtype=np.int64)
    out[ap[best_x]] = arcs[best_x]
    walking = float((wa[best_x] * arc_cost_m[arcs][best_x]).sum())
    return WholeSolution(out, int(wa[best_x].sum()), round(walking, 6), optimal,
                         bound_m=walking if optimal else bound_dm / COST_SCALE,
                         seconds=time.perf_counter() - t0)
