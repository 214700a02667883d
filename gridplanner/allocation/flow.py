"""Capacitated assignment as a min-cost flow (OR-Tools ``SimpleMinCostFlow``).

The model is a transportation problem: each household point sends its
households along candidate arcs to staff (cost: the walking distance), each staff
member passes at most ``capacity`` on to the sink. Every point also has an arc
straight to the sink at a cost above any real assignment, so the model is always
feasible and its flow there is the unassigned households. Arcs are added in bulk
from numpy arrays; costs are integer decimetres. (A two-level model through the
road nodes, tried first, solved ten times slower in OR-Tools.)

Public API
----------
- :func:`solve_flow` solves one model and returns a :class:`FlowSolution` with
  the flow decomposed into (point, staff, households) parts.
- :func:`resolve_splits` makes every household point go to one staff member as
  a whole without exceeding any capacity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from gridplanner.errors import AnalysisError
from gridplanner.i18n import gettext

#: Costs go to the solver as integer decimetres.
COST_SCALE = 10.0


@dataclass(frozen=True)
class FlowSolution:
    """A solved flow, as parts.

    Point ``part_point`` sends ``part_amount`` households to staff
    ``part_staff`` (``-1`` = unassigned) at ``part_cost_m`` metres each.

    Attributes
    ----------
    optimum_m
        Total household-metres of the assigned parts (the flow optimum).
    unassigned
        Households the flow left unassigned.
    """

    part_point: np.ndarray
    part_staff: np.ndarray
    part_amount: np.ndarray
    part_cost_m: np.ndarray
    optimum_m: float
    unassigned: int
    #: Flow on each candidate arc given (``arc_index`` says which), and the
    #: unassigned households of each point: what tells where to widen.
    arc_flow: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    arc_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    unassigned_by_node: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def solve_flow(
    weight: np.ndarray,
    arc_point: np.ndarray,
    arc_staff: np.ndarray,
    arc_cost_m: np.ndarray,
    capacity: np.ndarray,
    *,
    unassigned_cost_m: float,
) -> FlowSolution:
    """Solve the transportation model: household points to staff within capacity.

    Parameters
    ----------
    weight
        Households of each point (points of weight 0 are left out).
    arc_point, arc_staff, arc_cost_m
        Candidate arcs: point index, staff index and walking distance (metres).
    capacity
        Households each staff member may take.
    unassigned_cost_m
        Cost charged per unassigned household (above any real assignment).

    Examples
    --------
    Two points, one worker of capacity 1 at 10 m from both, another at 30 m:

    >>> sol = solve_flow(np.array([1, 1]), np.array([0, 0, 1, 1]),
    ...                  np.array([0, 1, 0, 1]), np.array([10.0, 30.0, 10.0, 30.0]),
    ...                  np.array([1, 1]), unassigned_cost_m=1e4)
    >>> sol.optimum_m, sol.unassigned
    (40.0, 0)
    """
    w = np.asarray(weight, dtype=np.int64)
    n_pts = len(w)
    n_staff = len(capacity)
    ok = (w[arc_point] > 0) & (arc_staff >= 0) & np.isfinite(arc_cost_m)
    arc_index = np.flatnonzero(ok)
    ap, ast, ac = arc_point[ok], arc_staff[ok], arc_cost_m[ok]
    pts = np.flatnonzero(w > 0)
    staff0 = n_pts
    sink = staff0 + n_staff
    total = int(w[pts].sum())
    tails = np.concatenate([ap, pts, staff0 + np.arange(n_staff)])
    heads = np.concatenate([staff0 + ast, np.full(len(pts), sink), np.full(n_staff, sink)])
    caps = np.concatenate([w[ap], w[pts], np.maximum(capacity, 0)]).astype(np.int64)
    costs = np.concatenate([np.round(ac * COST_SCALE).astype(np.int64),
                            np.full(len(pts), round(unassigned_cost_m * COST_SCALE),
                                    dtype=np.int64),
                            np.zeros(n_staff, dtype=np.int64)])
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supply = np.zeros(sink + 1, dtype=np.int64)
    supply[pts] = w[pts]
    supply[sink] = -total
    solver.set_nodes_supplies(np.arange(sink + 1), supply)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise AnalysisError(gettext("the assignment could not be solved (solver status "
                                    "{status})", status=status))
    flow = solver.flows(arcs)
    f_arc = flow[:len(ap)]
    f_un = flow[len(ap):len(ap) + len(pts)]
    pos = f_arc > 0
    un = f_un > 0
    part_point = np.concatenate([ap[pos], pts[un]])
    part_staff = np.concatenate([ast[pos], np.full(int(un.sum()), -1)])
    part_amount = np.concatenate([f_arc[pos], f_un[un]]).astype(np.int64)
    part_cost = np.concatenate([ac[pos], np.full(int(un.sum()), np.inf)])
    order = np.argsort(part_point, kind="stable")
    unassigned_by_point = np.zeros(n_pts, dtype=np.int64)
    unassigned_by_point[pts] = f_un
    return FlowSolution(
        part_point[order], part_staff[order], part_amount[order], part_cost[order],
        float((f_arc[pos] * ac[pos]).sum()), int(f_un.sum()),
        arc_flow=f_arc, arc_index=arc_index, unassigned_by_node=unassigned_by_point,
    )


def resolve_splits(
    sol: FlowSolution,
    weight: np.ndarray,
    capacity: np.ndarray,
    candidates: dict[int, list[tuple[int, float]]] | None = None,
    *,
    alt_staff: np.ndarray | None = None,
    alt_cost_m: np.ndarray | None = None,
    alt_ptr: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Give every household point to one staff member as a whole.

    Points the flow split between staff (at most about one per staff member in
    a basic optimum) are placed largest first: with the first of their flow's
    staff (largest share first), then of their ``candidates`` (nearest first),
    that has room for all of them. When none has, room is made on the nearest
    candidate by moving its cheapest-to-move whole points to their next
    candidates with room (``alt_staff``/``alt_cost_m``: each point's candidate
    staff and distances, one row per point, or with ``alt_ptr`` flat lists:
    point ``q``'s are ``alt_staff[alt_ptr[q]:alt_ptr[q + 1]]``); failing that the
    point is left unassigned. Capacity is never exceeded.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Staff index (``-1`` = unassigned) and distance of every point.

    Examples
    --------
    >>> sol = FlowSolution(np.array([0, 0]), np.array([0, 1]), np.array([2, 1]),
    ...                    np.array([5.0, 9.0]), 19.0, 0)
    >>> staff, dist = resolve_splits(sol, np.array([3]), np.array([3, 3]))
    >>> staff.tolist(), dist.tolist()
    ([0], [5.0])
    """
    n = len(weight)
    staff = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, np.inf)
    order = np.lexsort((-sol.part_amount, sol.part_point))
    pp, ps = sol.part_point[order], sol.part_staff[order]
    pa, pc = sol.part_amount[order], sol.part_cost_m[order]
    first = np.r_[True, pp[1:] != pp[:-1]]
    count = np.bincount(pp, minlength=n)
    whole = first & (count[pp] == 1) & (ps >= 0)
    staff[pp[whole]] = ps[whole]
    dist[pp[whole]] = pc[whole]
    load = np.bincount(ps[whole], weights=pa[whole], minlength=len(capacity)).astype(np.int64)
    split_points = np.unique(pp[count[pp] > 1])
    if len(split_points) == 0:
        return staff, dist
    starts = np.searchsorted(pp, split_points)
    ends = np.searchsorted(pp, split_points, side="right")
    by_size = np.argsort(-np.asarray(weight)[split_points], kind="stable")
    # Few points (about one per staff member): a plain loop is fine here.
    for j in by_size.tolist():
        p, a, b = int(split_points[j]), int(starts[j]), int(ends[j])
        need = int(weight[p])
        options = [(int(s), float(c)) for s, c in zip(ps[a:b], pc[a:b], strict=True) if s >= 0]
        if candidates is not None:
            options += candidates.get(p, [])
        placed = False
        for s, c in options:
            if load[s] + need <= capacity[s]:
                staff[p], dist[p] = s, c
                load[s] += need
                placed = True
                break
        if placed or alt_staff is None or alt_cost_m is None:
            continue
        for s, c in sorted(set(options), key=lambda sc: sc[1]):
            if _make_room(s, need - int(capacity[s] - load[s]), staff, dist, load, capacity,
                          np.asarray(weight), _Alternatives(alt_staff, alt_cost_m, alt_ptr)):
                staff[p], dist[p] = s, c
                load[s] += need
                break
    return staff, dist


@dataclass(frozen=True)
class _Alternatives:
    """Each point's candidate staff and distances: table rows, or flat lists."""

    staff: np.ndarray
    cost_m: np.ndarray
    ptr: np.ndarray | None

    def of(self, q: int) -> tuple[list[int], list[float]]:
        """Return point ``q``'s candidates and distances."""
        if self.ptr is None:
            return self.staff[q].tolist(), self.cost_m[q].tolist()
        a, b = int(self.ptr[q]), int(self.ptr[q + 1])
        return self.staff[a:b].tolist(), self.cost_m[a:b].tolist()


def _make_room(
    s: int, room: int, staff: np.ndarray, dist: np.ndarray, load: np.ndarray,
    capacity: np.ndarray, weight: np.ndarray, alt: _Alternatives,
) -> bool:
    """Move whole points off staff ``s`` to others with room until ``room`` is free."""
    if room <= 0:
        return True
    members = np.flatnonzero(staff == s)
    moves: list[tuple[float, int, int, float]] = []
    for q in members.tolist():
        for s2, c2 in zip(*alt.of(q), strict=True):
            if s2 >= 0 and s2 != s and load[s2] + weight[q] <= capacity[s2]:
                moves.append((c2 - float(dist[q]), q, s2, c2))
                break
    moves.sort()
    chosen: list[tuple[float, int, int, float]] = []
    freed = 0
    extra = np.zeros_like(load)
    for mv in moves:
        _, q, s2, _ = mv
        if load[s2] + extra[s2] + weight[q] > capacity[s2]:
            continue
        chosen.append(mv)
        extra[s2] += weight[q]
        freed += int(weight[q])
        if freed >= room:
            break
    if freed < room:
        return False
    for _, q, s2, c2 in chosen:
        staff[q], dist[q] = s2, c2
        load[s] -= weight[q]
        load[s2] += weight[q]
    return True
