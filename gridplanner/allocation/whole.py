"""Whole household points to staff, exactly, at district scale.

A household point (a building, several households) goes to one staff member
as a whole. The problem is lexicographic: first as many households assigned as
the capacities allow, then, keeping that many, the least household-metres.
Costs are integer decimetres, as in the flow.

How it is solved exactly without handing the whole district to an integer
solver:

1. **Relaxation.** Points may split: a min-cost flow (OR-Tools) sends as many
   households as possible at least cost, one source per connected component
   of the candidate graph. Its households per component bound any whole
   answer, and its cost bounds the walking of any whole answer serving as
   many. Potentials of its residual graph (Bellman-Ford) give every option of
   every point (a staff member, or nobody) a reduced cost: the least any whole
   answer taking that option pays above the bound.
2. **Fixing by reduced cost.** Options whose reduced cost exceeds a threshold
   are left out; points left with one option keep it; the free points form
   small independent components, each solved by an integer program
   (CP-SAT, or HiGHS) lexicographically, started from the given answer.
3. **Proof.** If the answer found walks at most threshold above the bound, no
   option left out can be in a better answer: it is optimal. Otherwise the
   threshold is raised to that difference and solved once more, now exactly.
   Where the restricted model cannot assign as many households as the
   relaxation, the threshold widens up to the whole component, whose
   integer program then proves how many can be assigned whole.

Within ``time_limit_s`` the answer is proven optimal, or the proven bounds
(households and walking) are reported; it is never worse than the start.

Public API
----------
- :func:`solve_whole` -> :class:`WholeSolution`.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from gridplanner.allocation.flow import COST_SCALE
from gridplanner.errors import AnalysisError
from gridplanner.i18n import gettext

Backend = Literal["cp-sat", "highs"]


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
        Whether the answer is proven optimal: most households, then least walking.
    bound_m
        Proven lower bound on the household-metres of any whole answer
        assigning as many households.
    most_households
        Proven upper bound on the households any whole answer assigns
        (equal to ``assigned_households`` when that is proven).
    relaxed_households, relaxed_m
        Households and household-metres of the relaxation (points may split).
    free_points
        Points given integer variables after fixing by reduced cost.
    seconds
        Solver time.
    """

    arc: np.ndarray
    assigned_households: int
    walking_m: float
    optimal: bool
    bound_m: float
    seconds: float
    most_households: int = 0
    relaxed_households: int = 0
    relaxed_m: float = 0.0
    free_points: int = 0

    @property
    def gap_pct(self) -> float:
        """Proven gap of the walking total above its bound (0 when optimal)."""
        if self.optimal or self.walking_m <= 0:
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
    time_limit_s: float = 30.0,
    free_arcs: int = 1000,
    backend: Backend = "highs",
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
        A feasible start: chosen arc per point (``-1`` = unassigned); kept
        unless something better is found.
    time_limit_s
        Time limit of the whole solve; when reached, the bounds proven so far
        are reported.
    free_arcs
        Options priced above the relaxation that the first round leaves to
        the integer solver (more are added where the proof needs them).
    backend
        Integer solver of the free parts: ``"highs"`` (``scipy.optimize.milp``;
        parts above 10,000 arcs go to CP-SAT, which keeps to the time limit)
        or ``"cp-sat"`` (OR-Tools).
    workers
        Solver threads (CP-SAT).

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
    model = _Model.build(weight, arc_point, arc_staff, arc_cost_m, capacity)
    start = _start_choice(model, arc_point, arc_staff, start_arc)
    solver = _Solver(model, deadline=t0 + max(float(time_limit_s), 0.0), backend=backend,
                     workers=max(int(workers), 1), free_arcs=int(free_arcs))
    choice, proof = solver.run(start)
    out = np.full(len(weight), -1, dtype=np.int64)
    got = choice >= 0
    out[model.points[got]] = model.arc_id[choice[got]]
    served = int(model.w[got].sum())
    walking = float((model.w[got] * model.cost_m[choice[got]]).sum())
    return WholeSolution(
        out, served, round(walking, 6), proof.optimal,
        bound_m=round(walking, 6) if proof.optimal else proof.bound_dm / COST_SCALE,
        seconds=time.perf_counter() - t0,
        most_households=served if proof.optimal else max(proof.most, served),
        relaxed_households=proof.relaxed_households,
        relaxed_m=proof.relaxed_dm / COST_SCALE, free_points=proof.free_points)


# ----------------------------------------------------------------------------- model


@dataclass(frozen=True)
class _Model:
    """The cleaned problem: points with households and arcs, grouped by point.

    Points are renumbered ``0..n-1`` (only those with households and an arc);
    arcs are sorted by point, one per (point, staff), the cheapest.
    """

    points: np.ndarray  # original index of each point
    w: np.ndarray
    ap: np.ndarray
    ast: np.ndarray
    cost_dm: np.ndarray
    cost_m: np.ndarray
    arc_id: np.ndarray  # original index of each arc
    capacity: np.ndarray
    comp_of_point: np.ndarray
    n_comp: int

    @property
    def n(self) -> int:
        return len(self.w)

    @property
    def m(self) -> int:
        return len(self.capacity)

    @classmethod
    def build(cls, weight: np.ndarray, arc_point: np.ndarray, arc_staff: np.ndarray,
              arc_cost_m: np.ndarray, capacity: np.ndarray) -> _Model:
        w_all = np.asarray(weight, dtype=np.int64)
        cap = np.maximum(np.asarray(capacity, dtype=np.int64), 0)
        arc_point = np.asarray(arc_point, dtype=np.int64)
        arc_staff = np.asarray(arc_staff, dtype=np.int64)
        arc_cost_m = np.asarray(arc_cost_m, dtype=float)
        if len(arc_point) and (arc_point.max() >= len(w_all) or arc_staff.max() >= len(cap)):
            raise AnalysisError(gettext("whole-point assignment: an arc names a point or "
                                        "staff member that does not exist"))
        ok = (w_all[arc_point] > 0) & (arc_staff >= 0) & np.isfinite(arc_cost_m) \
            & (arc_cost_m >= 0)
        ids = np.flatnonzero(ok)
        cost_dm = np.round(arc_cost_m[ids] * COST_SCALE).astype(np.int64)
        # One arc per (point, staff): the cheapest, sorted by point.
        order = np.lexsort((cost_dm, arc_staff[ids], arc_point[ids]))
        ids, cost_dm = ids[order], cost_dm[order]
        p, s = arc_point[ids], arc_staff[ids]
        first = np.r_[True, (p[1:] != p[:-1]) | (s[1:] != s[:-1])]
        ids, cost_dm, p, s = ids[first], cost_dm[first], p[first], s[first]
        points, ap = np.unique(p, return_inverse=True)
        n, m = len(points), len(cap)
        graph = sparse.coo_matrix((np.ones(len(ap)), (ap, n + s)), shape=(n + m, n + m))
        _, label = connected_components(graph, directed=False)
        # Components of staff alone (no point) do not matter: renumber by points.
        comps, comp_of_point = np.unique(label[:n], return_inverse=True)
        return cls(points=points, w=w_all[points], ap=ap.astype(np.int64), ast=s,
                   cost_dm=cost_dm, cost_m=arc_cost_m[ids], arc_id=ids, capacity=cap,
                   comp_of_point=comp_of_point.astype(np.int64), n_comp=len(comps))

    def point_bounds(self) -> np.ndarray:
        """Where each point's arcs start (and the end), arcs being sorted by point."""
        return np.searchsorted(self.ap, np.arange(self.n + 1))


def _start_choice(model: _Model, arc_point: np.ndarray, arc_staff: np.ndarray,
                  start_arc: np.ndarray | None) -> np.ndarray:
    """Express the start as a model arc per model point (``-1`` = none; all if infeasible)."""
    choice = np.full(model.n, -1, dtype=np.int64)
    if start_arc is None or model.n == 0:
        return choice
    raw = np.asarray(start_arc, dtype=np.int64)[model.points]
    has = np.flatnonzero((raw >= 0) & (raw < len(arc_point)))
    has = has[np.asarray(arc_point)[raw[has]] == model.points[has]]
    key = model.ap * model.m + model.ast
    look = has * model.m + np.asarray(arc_staff, dtype=np.int64)[raw[has]]
    pos = np.minimum(np.searchsorted(key, look), len(key) - 1)
    found = key[pos] == look
    choice[has[found]] = pos[found]
    if _overloaded(model, choice):
        return np.full(model.n, -1, dtype=np.int64)
    return choice


def _overloaded(model: _Model, choice: np.ndarray) -> bool:
    on = choice >= 0
    load = np.bincount(model.ast[choice[on]], weights=model.w[on], minlength=model.m)
    return bool((load > model.capacity).any())


# ----------------------------------------------------------------------------- relaxation


@dataclass(frozen=True)
class _Relaxation:
    """The split-point optimum and what it proves.

    Attributes
    ----------
    served_c, cost_c
        Households and household-decimetres per component (most households,
        then least cost, points allowed to split).
    point_served
        Households of each point the relaxation serves.
    excess_arc, excess_none
        Least extra cost (household-decimetres, above ``bound_c``) of any whole
        answer serving ``served_c`` that sends the point along the arc, or
        leaves it unassigned.
    bound_c
        Lower bound on the cost of any whole answer serving ``served_c``.
    """

    served_c: np.ndarray
    cost_c: np.ndarray
    point_served: np.ndarray
    excess_arc: np.ndarray
    excess_none: np.ndarray
    bound_c: np.ndarray


def _relax(model: _Model, target_c: np.ndarray | None = None) -> _Relaxation:
    """Solve the relaxation and price every option by the residual graph's potentials.

    ``target_c``: households to send per component (default: as many as fit).
    """
    n, m, nc = model.n, model.m, model.n_comp
    sink = n + m
    src = sink + 1 + model.comp_of_point
    pts = np.arange(n)
    tails = np.concatenate([src, model.ap, n + np.arange(m)])
    heads = np.concatenate([pts, n + model.ast, np.full(m, sink)])
    caps = np.concatenate([model.w, model.w[model.ap], model.capacity])
    costs = np.concatenate([np.zeros(n, dtype=np.int64), model.cost_dm,
                            np.zeros(m, dtype=np.int64)])
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    total_c = np.bincount(model.comp_of_point, weights=model.w, minlength=nc).astype(np.int64)
    supply = np.zeros(sink + 1 + nc, dtype=np.int64)
    supply[sink + 1:] = total_c if target_c is None else np.minimum(target_c, total_c)
    supply[sink] = -int(total_c.sum())
    solver.set_nodes_supplies(np.arange(len(supply)), supply)
    status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:
        raise AnalysisError(gettext("the whole-point relaxation could not be solved "
                                    "(solver status {status})", status=status))
    flow = solver.flows(arcs).astype(np.int64)
    pot = _potentials(tails, heads, costs, caps, flow, len(supply))
    r_src = pot[src] - pot[pts]
    r_arc = model.cost_dm + pot[model.ap] - pot[n + model.ast]
    # Whole answers with the same households per component differ from the
    # relaxation by sum(r * flow) over arcs priced above zero plus
    # sum(-r * unused capacity) over arcs priced below: every term >= 0.
    neg = np.bincount(model.ap, weights=np.maximum(-r_arc, 0), minlength=n).astype(np.int64)
    w = model.w
    arc_c = w[model.ap] * (neg[model.ap] - np.maximum(-r_arc, 0) + np.maximum(r_arc, 0)
                           + np.maximum(r_src[model.ap], 0))
    none_c = w * (neg + np.maximum(-r_src, 0))
    least = none_c.copy()
    np.minimum.at(least, model.ap, arc_c)
    point_served = flow[:n]
    served_c = np.bincount(model.comp_of_point, weights=point_served,
                           minlength=nc).astype(np.int64)
    f_arc = flow[n:n + len(model.ap)]
    cost_c = np.bincount(model.comp_of_point[model.ap], weights=f_arc * model.cost_dm,
                         minlength=nc).astype(np.int64)
    bound_c = cost_c + np.bincount(model.comp_of_point, weights=least,
                                   minlength=nc).astype(np.int64)
    return _Relaxation(served_c, cost_c, point_served, arc_c - least[model.ap],
                       none_c - least, bound_c)


def _potentials(tails: np.ndarray, heads: np.ndarray, costs: np.ndarray, caps: np.ndarray,
                flow: np.ndarray, n_nodes: int) -> np.ndarray:
    """Shortest distances in the residual graph from a root joined to every node.

    The flow is optimal, so there is no negative cycle and Bellman-Ford (each
    pass relaxes every arc at once) ends; with these potentials no residual
    arc has a negative reduced cost.
    """
    fwd = flow < caps
    bwd = flow > 0
    t = np.concatenate([tails[fwd], heads[bwd]])
    h = np.concatenate([heads[fwd], tails[bwd]])
    c = np.concatenate([costs[fwd], -costs[bwd]])
    order = np.argsort(h, kind="stable")
    t, h, c = t[order], h[order], c[order]
    into = np.flatnonzero(np.r_[True, h[1:] != h[:-1]]) if len(h) else np.zeros(0, np.int64)
    dist = np.zeros(n_nodes, dtype=np.int64)
    for _ in range(n_nodes + 1):
        if len(h) == 0:
            break
        best = np.minimum.reduceat(dist[t] + c, into)
        new = dist.copy()
        new[h[into]] = np.minimum(dist[h[into]], best)
        if (new == dist).all():
            return dist
        dist = new
    raise AnalysisError(gettext("the whole-point relaxation is not optimal (a negative "
                                "cycle)"))


# ----------------------------------------------------------------------------- solve

#: Largest free part (arcs) given to an integer program at all, and to HiGHS:
#: on larger parts HiGHS overruns its time limit several times over (its
#: presolve and root LP do not look at the clock), so CP-SAT, which keeps to
#: it, takes them.
_MOST_PART_ARCS = 200_000
_HIGHS_ARCS = 10_000


@dataclass(frozen=True)
class _Proof:
    """What the solve proved about its answer (see :class:`WholeSolution`)."""

    optimal: bool
    bound_dm: float
    most: int
    relaxed_households: int
    relaxed_dm: int
    free_points: int


@dataclass(frozen=True)
class _Round:
    """One solve of the restricted model: the answer on its components and how sure."""

    choice: np.ndarray
    reached: np.ndarray  # per component: as many households as the relaxation
    optimal: np.ndarray  # per component: every free part solved to optimality
    free_points: int




class _Solver:
    """Relaxation, fixing by reduced cost, integer programs on what stays free."""

    def __init__(self, model: _Model, *, deadline: float, backend: Backend, workers: int,
                 free_arcs: int) -> None:
        self.model = model
        self.deadline = deadline
        self.backend = backend
        self.workers = workers
        self.free_arcs = free_arcs

    def run(self, start: np.ndarray) -> tuple[np.ndarray, _Proof]:
        model = self.model
        if model.n == 0:
            return start, _Proof(True, 0.0, 0, 0, 0, 0)
        relax = _relax(model)
        nc, comp = model.n_comp, model.comp_of_point
        best = _top_up(model, start)
        budget = np.full(nc, self.free_arcs, dtype=np.int64)
        tau = self._threshold(relax, budget)
        served_b, cost_b = self._per_comp(best)
        reach = served_b == relax.served_c
        tau[reach] = np.minimum(tau[reach], (cost_b - relax.bound_c)[reach])
        open_ = np.ones(nc, dtype=bool)
        proven = np.zeros(nc, dtype=bool)
        most = relax.served_c.copy()
        free_points = 0
        while open_.any() and time.perf_counter() < self.deadline:
            rnd = self._round(relax, tau, open_, best)
            free_points = max(free_points, rnd.free_points)
            served_r, cost_r = self._per_comp(rnd.choice)
            served_b, cost_b = self._per_comp(best)
            better = open_ & ((served_r > served_b) | ((served_r == served_b) & (cost_r < cost_b)))
            take = better[comp]
            best[take] = rnd.choice[take]
            served_b, cost_b = self._per_comp(best)
            gap = (cost_b - relax.bound_c).astype(float)
            whole = np.isinf(tau)
            ok = open_ & rnd.reached & rnd.optimal
            # Reached the relaxation's households: optimal once within the threshold.
            done = ok & (gap <= tau)
            proven |= done
            tau = np.where(ok & ~done, gap, tau)
            # Solved whole, optimally: the most households whole points allow.
            exact = open_ & ~rnd.reached & rnd.optimal & whole
            most[exact] = served_b[exact]
            proven |= exact
            stuck = open_ & ~rnd.optimal  # time limit reached
            wider = open_ & ~rnd.reached & rnd.optimal & ~whole
            # Too few options to reach the relaxation's households: four times as many.
            budget = np.where(wider, 4 * np.maximum(budget, 1), budget)
            tau = np.where(wider, np.maximum(self._threshold(relax, budget), tau + 1), tau)
            open_ &= ~(done | exact | stuck)
        served_b, cost_b = self._per_comp(best)
        reach = served_b >= relax.served_c
        bound = np.where(proven, cost_b, relax.bound_c)
        if not (proven | reach).all():
            # Fewer households than the relaxation: bound the walking of as many.
            fewer = _relax(model, np.where(proven | reach, relax.served_c, served_b))
            bound = np.where(proven | reach, bound, fewer.bound_c)
        return best, _Proof(
            optimal=bool(proven.all()), bound_dm=float(bound.sum()),
            most=int(np.where(proven, served_b, most).sum()),
            relaxed_households=int(relax.served_c.sum()),
            relaxed_dm=int(relax.cost_c.sum()), free_points=free_points)

    def _per_comp(self, choice: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Households and household-decimetres of an answer, per component."""
        model = self.model
        on = choice >= 0
        c = model.comp_of_point[on]
        served = np.bincount(c, weights=model.w[on], minlength=model.n_comp)
        cost = np.bincount(c, weights=model.w[on] * model.cost_dm[choice[on]],
                           minlength=model.n_comp)
        return served.astype(np.int64), cost.astype(np.int64)

    def _threshold(self, relax: _Relaxation, budget: np.ndarray) -> np.ndarray:
        """Per component, the threshold keeping about ``budget`` options priced above zero.

        ``inf`` (every option) when the component has no more than that.
        """
        model = self.model
        comp = np.concatenate([model.comp_of_point[model.ap], model.comp_of_point])
        excess = np.concatenate([relax.excess_arc, relax.excess_none])
        priced = excess > 0
        comp, excess = comp[priced], excess[priced]
        order = np.lexsort((excess, comp))
        comp, excess = comp[order], excess[order]
        first = np.searchsorted(comp, np.arange(model.n_comp))
        count = np.bincount(comp, minlength=model.n_comp)
        out = np.full(model.n_comp, np.inf)
        has = (budget < count) & (budget >= 0)
        out[has] = excess[first[has] + np.maximum(budget[has] - 1, 0)]
        out[has & (budget <= 0)] = 0.0
        return out

    def _round(self, relax: _Relaxation, tau: np.ndarray, open_: np.ndarray,
               hint: np.ndarray) -> _Round:
        """Solve the open components with the options within their thresholds."""
        model = self.model
        active = open_[model.comp_of_point]
        tau_p = tau[model.comp_of_point]
        keep_arc = active[model.ap] & (relax.excess_arc <= tau_p[model.ap])
        keep_none = active & (relax.excess_none <= tau_p)
        n_opt = np.bincount(model.ap[keep_arc], minlength=model.n) + keep_none
        free = active & (n_opt >= 2)
        choice = np.where(active, -1, hint)
        fixed_arc = np.flatnonzero(keep_arc & ~free[model.ap])
        choice[model.ap[fixed_arc]] = fixed_arc
        on = active & (choice >= 0)
        room = model.capacity - np.bincount(model.ast[choice[on]], weights=model.w[on],
                                            minlength=model.m).astype(np.int64)
        reached = np.ones(model.n_comp, dtype=bool)
        optimal = np.ones(model.n_comp, dtype=bool)
        arcs = np.flatnonzero(keep_arc & free[model.ap])
        if len(arcs) == 0:
            return _Round(choice, reached, optimal, 0)
        fp = np.flatnonzero(free)
        local = np.full(model.n, -1, dtype=np.int64)
        local[fp] = np.arange(len(fp))
        nf = len(fp)
        graph = sparse.coo_matrix((np.ones(len(arcs)), (local[model.ap[arcs]],
                                                        nf + model.ast[arcs])),
                                  shape=(nf + model.m, nf + model.m))
        _, label = connected_components(graph, directed=False)
        part_of_arc = label[local[model.ap[arcs]]]
        order = np.argsort(part_of_arc, kind="stable")
        arcs, part_of_arc = arcs[order], part_of_arc[order]
        cuts = np.flatnonzero(np.r_[True, part_of_arc[1:] != part_of_arc[:-1], True])
        skipped = np.zeros(model.n_comp, dtype=bool)
        # One integer program per free part: there are few, each small.
        for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            part = arcs[a:b]
            pts = np.unique(model.ap[part])
            upper = int(relax.point_served[pts].sum())
            if len(part) > _MOST_PART_ARCS:
                # Too large to prove within a time limit (the solver may not
                # stop in time): its component keeps the answer given, unproven.
                skipped[model.comp_of_point[pts[0]]] = True
                continue
            got, ok = self._part(part, pts, room, upper, hint, ~keep_none[pts])
            choice[pts] = got
            c = model.comp_of_point[pts[0]]
            optimal[c] &= ok
            reached[c] &= int(model.w[pts][got >= 0].sum()) >= upper
        back = skipped[model.comp_of_point]
        choice[back] = hint[back]
        optimal &= ~skipped
        return _Round(choice, reached, optimal, nf)

    def _part(self, part: np.ndarray, pts: np.ndarray, room: np.ndarray, upper: int,
              hint: np.ndarray, must: np.ndarray) -> tuple[np.ndarray, bool]:
        """Solve one free part lexicographically: its choice per point, and whether optimal.

        Points whose leaving out is priced above the threshold (``must``) are
        first asked to be assigned: that guides the search; if the part then has
        no answer, it is solved without.
        """
        if must.any():
            got, ok = self._part_of(part, pts, room, upper, hint, must)
            if got is not None:
                return got, ok
        got, ok = self._part_of(part, pts, room, upper, hint, np.zeros(len(pts), dtype=bool))
        if got is None:  # out of time before any answer
            return np.full(len(pts), -1, dtype=np.int64), False
        return got, ok

    def _part_of(self, part: np.ndarray, pts: np.ndarray, room: np.ndarray, upper: int,
                 hint: np.ndarray, must: np.ndarray) -> tuple[np.ndarray | None, bool]:
        model = self.model
        highs = self.backend == "highs" and len(part) <= _HIGHS_ARCS
        lp = np.searchsorted(pts, model.ap[part])
        staff, ls = np.unique(model.ast[part], return_inverse=True)
        w = model.w[pts]
        wa = w[lp]
        cost = wa * model.cost_dm[part]
        start = np.isin(part, hint[pts])
        x: np.ndarray | None = start if _fits(lp, ls, wa, room[staff], start, len(pts),
                                             must) else None
        optimal = True
        if x is None or int(wa[x].sum()) < upper:
            most = _most_highs if highs else _most_cpsat
            x, optimal = most(lp, ls, wa, room[staff], must, upper=upper, hint=x,
                              time_limit_s=self._left(), workers=self.workers)
            if x is None:
                return None, optimal
        solve = _least_highs if highs else _least_cpsat
        better, ok = solve(lp, ls, wa, cost, room[staff], must, served=int(wa[x].sum()),
                           hint=x, time_limit_s=self._left(), workers=self.workers)
        if better is not None and int((cost * better).sum()) <= int((cost * x).sum()):
            x = better
        got = np.full(len(pts), -1, dtype=np.int64)
        got[lp[x]] = part[x]
        return got, optimal and ok

    def _left(self) -> float:
        return max(self.deadline - time.perf_counter(), 0.01)


def _fits(lp: np.ndarray, ls: np.ndarray, wa: np.ndarray, room: np.ndarray, x: np.ndarray,
          n_pts: int, must: np.ndarray) -> bool:
    """Whether a choice of arcs is a whole answer of a part."""
    per_point = np.bincount(lp[x], minlength=n_pts)
    load = np.bincount(ls[x], weights=wa[x], minlength=len(room))
    return bool((per_point <= 1).all() and (load <= room).all()
                and (per_point[must] == 1).all())


def _top_up(model: _Model, choice: np.ndarray) -> np.ndarray:
    """Give room left on staff to unassigned points that fit, cheapest first.

    Each pass gives every member with room at most one point, so the answer
    stays within capacity.
    """
    choice = choice.copy()
    for _ in range(int(model.w.sum()) + 1):
        on = choice >= 0
        room = model.capacity - np.bincount(model.ast[choice[on]], weights=model.w[on],
                                            minlength=model.m).astype(np.int64)
        cand = np.flatnonzero(~on[model.ap] & (model.w[model.ap] <= room[model.ast]))
        if len(cand) == 0:
            break
        cand = cand[np.lexsort((model.cost_dm[cand], model.ast[cand]))]
        cand = cand[np.r_[True, model.ast[cand][1:] != model.ast[cand][:-1]]]
        _, first = np.unique(model.ap[cand], return_index=True)
        cand = cand[first]
        choice[model.ap[cand]] = cand
    return choice


def _cpsat_model(lp: np.ndarray, ls: np.ndarray, wa: np.ndarray, room: np.ndarray,
                 must: np.ndarray) -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    """One arc per point at most (exactly one for ``must``), staff within room."""
    model = cp_model.CpModel()
    x = [model.new_bool_var("") for _ in range(len(lp))]
    order = np.argsort(lp, kind="stable")
    bounds = np.searchsorted(lp[order], np.arange(len(must) + 1))
    for p in range(len(must)):
        members = [x[i] for i in order[bounds[p]:bounds[p + 1]].tolist()]
        if must[p]:
            model.add_exactly_one(members)
        elif len(members) > 1:
            model.add_at_most_one(members)
    by_staff = np.argsort(ls, kind="stable")
    s_bounds = np.searchsorted(ls[by_staff], np.arange(len(room) + 1))
    for s in range(len(room)):
        on_s = by_staff[s_bounds[s]:s_bounds[s + 1]]
        if int(wa[on_s].sum()) > int(room[s]):
            model.add(cp_model.LinearExpr.weighted_sum(
                [x[i] for i in on_s.tolist()], wa[on_s].tolist()) <= int(room[s]))
    return model, x


def _cpsat_solve(model: cp_model.CpModel, x: list[cp_model.IntVar], hint: np.ndarray | None,
                 *, time_limit_s: float, workers: int) -> tuple[np.ndarray | None, bool]:
    """Solve from the hint: the answer (None if none found) and whether proven optimal."""
    if hint is not None:
        for i, v in enumerate(hint.tolist()):
            model.add_hint(x[i], v)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.max_time_in_seconds = time_limit_s
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return None, True
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False
    return (np.array([solver.boolean_value(v) for v in x], dtype=bool),
            status == cp_model.OPTIMAL)


def _most_cpsat(lp: np.ndarray, ls: np.ndarray, wa: np.ndarray, room: np.ndarray,
                must: np.ndarray, *, upper: int, hint: np.ndarray | None, time_limit_s: float,
                workers: int) -> tuple[np.ndarray | None, bool]:
    """Most households a part can take whole (never fewer than the hint), and if proven.

    None when the part has no answer with every ``must`` point assigned.
    """
    model, x = _cpsat_model(lp, ls, wa, room, must)
    served = cp_model.LinearExpr.weighted_sum(x, wa.tolist())
    model.add(served <= upper)
    model.maximize(served)
    got, optimal = _cpsat_solve(model, x, hint, time_limit_s=time_limit_s, workers=workers)
    return _no_worse(got, optimal, hint, wa, upper)


def _no_worse(got: np.ndarray | None, optimal: bool, hint: np.ndarray | None, wa: np.ndarray,
              upper: int) -> tuple[np.ndarray | None, bool]:
    """Keep the solver's answer unless the hint assigns more; proven if it reaches ``upper``."""
    if got is None or (hint is not None and int(wa[got].sum()) < int(wa[hint].sum())):
        return hint, optimal and got is None and hint is None
    return got, optimal or int(wa[got].sum()) >= upper


def _most_highs(lp: np.ndarray, ls: np.ndarray, wa: np.ndarray, room: np.ndarray,
                must: np.ndarray, *, upper: int, hint: np.ndarray | None, time_limit_s: float,
                workers: int) -> tuple[np.ndarray | None, bool]:
    """Do what :func:`_most_cpsat` does, with HiGHS."""
    del workers
    got, optimal = _highs(-wa.astype(float), lp, ls, wa, room, must, served=0,
                          time_limit_s=time_limit_s)
    return _no_worse(got, optimal, hint, wa, upper)


def _least_cpsat(lp: np.ndarray, ls: np.ndarray, wa: np.ndarray, cost: np.ndarray,
                 room: np.ndarray, must: np.ndarray, *, served: int, hint: np.ndarray,
                 time_limit_s: float, workers: int) -> tuple[np.ndarray | None, bool]:
    """Least cost of a part taking ``served`` households, with CP-SAT."""
    model, x = _cpsat_model(lp, ls, wa, room, must)
    model.add(cp_model.LinearExpr.weighted_sum(x, wa.tolist()) >= served)
    model.minimize(cp_model.LinearExpr.weighted_sum(x, cost.tolist()))
    return _cpsat_solve(model, x, hint, time_limit_s=time_limit_s, workers=workers)


def _least_highs(lp: np.ndarray, ls: np.ndarray, wa: np.ndarray, cost: np.ndarray,
                 room: np.ndarray, must: np.ndarray, *, served: int, hint: np.ndarray,
                 time_limit_s: float, workers: int) -> tuple[np.ndarray | None, bool]:
    """Least cost of a part taking ``served`` households, with HiGHS (no start)."""
    del hint, workers
    return _highs(cost.astype(float), lp, ls, wa, room, must, served=served,
                  time_limit_s=time_limit_s)


def _highs(objective: np.ndarray, lp: np.ndarray, ls: np.ndarray, wa: np.ndarray,
           room: np.ndarray, must: np.ndarray, *, served: int,
           time_limit_s: float) -> tuple[np.ndarray | None, bool]:
    """Minimise over whole answers of a part taking at least ``served`` households.

    Returns the answer (None if none was found) and whether it is proven
    optimal (or, without an answer, that there is none).
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(lp)
    cols = np.arange(n)
    n_pts = len(must)
    rows = [LinearConstraint(sparse.csr_matrix((np.ones(n), (lp, cols)), shape=(n_pts, n)),
                             must.astype(float), 1.0),
            LinearConstraint(sparse.csr_matrix((wa.astype(float), (ls, cols)),
                                               shape=(len(room), n)),
                             -np.inf, room.astype(float)),
            LinearConstraint(wa[None, :].astype(float), served, np.inf)]
    with _quiet_stdout():
        res = milp(objective, integrality=np.ones(n), bounds=Bounds(0, 1),
                   constraints=rows,
                   options={"time_limit": time_limit_s, "mip_rel_gap": 0.0, "disp": False})
    if res.x is None:
        return None, bool(res.status == 2)
    return res.x > 0.5, bool(res.status == 0)


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Keep the solver's own prints off standard output (file descriptor 1)."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
