"""The exact step of the scheduler: an integer program solved by HiGHS (scipy.optimize.milp).

One binary x[m, s] per meeting m and slot s that both of its participants can attend.
Subject to: each meeting in at most one slot; each participant in at most one meeting per
slot; each slot at most its free tables. The objective is lexicographic, by weights:
placing one more meeting outweighs keeping every previous slot, and keeping one more
previous slot outweighs any choice of earlier rounds. So the optimum places the most
meetings; among those, moves the fewest; among those, fills the day from its start.
The relative MIP gap is set to 0, so "optimal" means exactly optimal, not within 0.01 %.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

if TYPE_CHECKING:
    from matchmaker.events.scheduling import Problem


@dataclass(frozen=True)
class Result:
    slot_of: dict[str, int]
    optimal: bool  # HiGHS proved optimality within the time limit


def solve(problem: Problem, *, time_limit: float) -> Result | None:
    """The optimal slots, the best found when time ran out, or None when none was found."""
    variables = [(item, s) for item in problem.items for s in problem.feasible[item.id]]
    if not variables:
        return Result({}, True)
    count = len(problem.items)
    keep = count * max(problem.slots - 1, 0) + 1  # more than the largest total of round numbers
    place = keep * (count + 1)  # more than keeping every slot plus any round numbers
    cost = np.array(
        [-(place + (keep if s == item.slot else 0)) + s for item, s in variables], float
    )
    per_meeting: dict[str, list[int]] = defaultdict(list)
    per_participant: dict[tuple[str, int], list[int]] = defaultdict(list)
    per_slot: dict[int, list[int]] = defaultdict(list)
    for column, (item, s) in enumerate(variables):
        per_meeting[item.id].append(column)
        per_slot[s].append(column)
        for participant in dict.fromkeys((item.firm, item.sme)):
            per_participant[participant, s].append(column)
    groups = [
        *((members, 1.0) for members in per_meeting.values()),
        *((members, 1.0) for members in per_participant.values()),
        *((members, float(problem.capacity[s])) for s, members in per_slot.items()),
    ]
    rows: list[int] = []
    columns: list[int] = []
    for row, (members, _limit) in enumerate(groups):
        rows.extend([row] * len(members))
        columns.extend(members)
    bounds = [limit for _members, limit in groups]
    matrix = coo_matrix(
        (np.ones(len(rows)), (rows, columns)), shape=(len(groups), len(variables))
    ).tocsr()
    outcome = milp(
        cost,
        integrality=np.ones(len(variables)),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(matrix, -np.inf, np.array(bounds)),
        options={"time_limit": time_limit, "disp": False, "mip_rel_gap": 0.0},
    )
    if outcome.x is None:
        return None
    values = zip(variables, outcome.x, strict=True)
    chosen = {item.id: s for (item, s), value in values if value > 0.5}
    return Result(chosen, optimal=outcome.status == 0)
