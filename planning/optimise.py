"""A budgeted long-life repair plan (長寿命化修繕計画) — one long module: the program, the
scenarios it is compared with and the evaluation of both read together. Which asset gets
which action in which fiscal year, so that the expected risk (the chance of being at the
action grade or worse, year by year, × the asset's criticality) is lowest within each
year's budget, with the yearly spend levelled (年度間の平準化): the planned spend of one
year differs from the next by no more than the levelling limit (the first year's urgent
renewals, a backlog to clear, are left out of that comparison but not out of the budget).

Each asset's condition follows its type's deterioration model (planning/deterioration.py)
from where its forecast starts. A planned treatment at the start of a fiscal year brings it
back to the best grade; its action and cost follow the grade it will most likely be in then
(preventive treatment below the action grade, repair from the action grade, renewal at the
worst). Between planned works, an asset that reaches the worst grade is renewed as it fails
(reactive, at the renewal cost): that is how a city runs, and it is in the scenarios' yearly
and life-cycle costs, but not in the plan's budget, which is for the planned works. Assets
at the worst grade when the plan starts are urgent: renewed in the first year, whatever the
budget, so a first-year budget below that work has no plan and says why. One planned work
per asset within the horizon.

The policy says when an asset may get a planned work: once it is more likely than not at
grade II/B or worse ("preventive-ii"), at the action grade or worse ("preventive-iii"), or
only when failed ("reactive", the urgent renewals alone).

Solving: a mixed-integer program (scipy's HiGHS `milp`). Assets of one type, grade,
criticality and time since their last inspection (to the quarter year) behave alike, so the
variables are how many of each such group get a work in each year (integers up to the
group's size): the same program as one binary per asset when groups are exact, and with
quarter-year groups a few thousand variables however many assets there are. The gap this
grouping costs is measured against the exact one-binary-per-asset program in
tests/planning/test_optimise.py (within 1 % on 300-asset instances). Assets of a group get
their works oldest inspection first.

Why our own code: no maintained package plans maintenance over Markov deterioration models;
scipy gives the solver, and the tests check budgets, levelling and the gap.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array, lil_array, vstack

from planning.deterioration import transition

ACTIONS = ("preventive", "repair", "renewal")
POLICIES = ("preventive-ii", "preventive-iii", "reactive")
QUARTERS = 4  # groups: the time since the last inspection to a quarter of a year
COST_WEIGHT = 1e-4  # per unit cost of the dearest renewal: among equal risks, spend less


@dataclass(frozen=True)
class KindModel:
    """What the plan needs of an asset type: its hazards, action grade and unit costs."""

    hazards: tuple[float, ...]
    action: int  # grade index of the action grade
    costs: dict  # action -> yen
    codes: tuple[str, ...] = ()  # the grades' names on the type's scale, for the caller

    @property
    def grades(self) -> int:
        return len(self.hazards) + 1

    def action_for(self, grade: int) -> str:
        if grade >= self.grades - 1:
            return "renewal"
        return "repair" if grade >= self.action else "preventive"


@dataclass(frozen=True)
class Item:
    """One asset as the plan sees it."""

    asset_id: int
    kind: str
    grade: int  # grade index where its forecast starts
    years_since: float  # from then to the plan's start
    criticality: int = 3


@dataclass(frozen=True)
class Inputs:
    budgets: tuple[float, ...]  # yen per fiscal year of the horizon
    policy: str = "preventive-ii"
    levelling: float | None = None  # the largest change of planned spend between years

    @property
    def horizon(self) -> int:
        return len(self.budgets)


@dataclass
class Work:
    asset_id: int
    year: int  # 0 = the plan's first fiscal year
    action: str
    cost: float
    grade: int  # the grade it will most likely be in then


@dataclass
class Outcome:
    """What a scenario gives year by year: planned and reactive spend, the expected number
    of assets in each grade at the end of each year, and the backlog at the action grade."""

    planned: np.ndarray  # (H,)
    reactive: np.ndarray  # (H,) expected renewals of failures
    grades: dict  # kind -> (H, grades) expected counts
    backlog: np.ndarray  # (H,) expected assets at the action grade or worse
    risk: float  # Σ criticality × years at the action grade or worse

    @property
    def yearly(self) -> np.ndarray:
        return self.planned + self.reactive

    @property
    def life_cycle_cost(self) -> float:
        return float(self.yearly.sum())


@dataclass
class Plan:
    inputs: Inputs
    feasible: bool
    works: list[Work] = field(default_factory=list)
    outcome: Outcome | None = None
    why_not: str = ""
    urgent_cost: float = 0.0
    urgent_assets: int = 0
    groups: int = 0
    objective: float = math.nan  # expected risk of the plan (Σ criticality × years)
    status: str = ""

    def spend(self) -> np.ndarray:
        yearly = np.zeros(self.inputs.horizon)
        for work in self.works:
            yearly[work.year] += work.cost
        return yearly


# --- One group's path through the years ------------------------------------------------------


@dataclass
class _Group:
    kind: str
    criticality: int
    members: list[Item]
    starts: np.ndarray  # (members, grades): each member's chances at the plan's start
    eligible: list[int]  # years in which a planned work is allowed

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def start(self) -> np.ndarray:
        return self.starts.mean(axis=0)


class _Paths:
    """Per kind, the one-year matrix; the start of each asset, cached by day."""

    def __init__(self, kinds: dict[str, KindModel]):
        self.kinds = kinds
        self.one_year = {k: transition(m.hazards, 1.0) for k, m in kinds.items()}
        self._since: dict = {}

    def start(self, item: Item) -> np.ndarray:
        key = (item.kind, round(item.years_since * 365.25))
        if key not in self._since:
            self._since[key] = transition(self.kinds[item.kind].hazards, key[1] / 365.25)
        return self._since[key][item.grade]

    def signatures(self, starts: np.ndarray, kind: str, horizon: int, threshold: int):
        """Per asset (rows of `starts`), untreated with failures renewed: the most likely
        grade at the start of each year, whether a planned work is allowed then, and
        whether it is urgent. Assets alike in all of it cost the same whatever is planned."""
        model, step = self.kinds[kind], self.one_year[kind]
        worst = model.grades - 1
        urgent = starts[:, worst] >= 0.5
        likely, allowed, d = [], [], starts
        for _year in range(horizon):
            likely.append(d.argmax(axis=1))
            ok = d[:, threshold:].sum(axis=1) >= 0.5
            allowed.append(ok & ~urgent)
            d = d @ step
            d[:, 0] += d[:, worst]
            d[:, worst] = 0.0
        return np.stack(likely, axis=1), np.stack(allowed, axis=1), urgent

    def path(self, kind: str, start, horizon: int, treat: int | None, *, renew: bool = True):
        """(planned cost per year, reactive cost per year, risk per year, grades at each
        year's end, the treated grade) for one asset of the group, treated in year `treat`
        (or never); failures renewed at the end of the year they happen in, and urgent
        assets in the first year, unless `renew` is False (nothing done at all)."""
        model, step = self.kinds[kind], self.one_year[kind]
        worst, renewal = model.grades - 1, model.costs["renewal"]
        planned, reactive, risk = np.zeros(horizon), np.zeros(horizon), np.zeros(horizon)
        ends = np.zeros((horizon, model.grades))
        d, treated = start, -1
        for t in range(horizon):
            if t == treat:
                treated = int(np.argmax(d))
                planned[t] = model.costs[model.action_for(treated)]
                d = np.zeros(model.grades)
                d[0] = 1.0
            elif renew and t == 0 and d[worst] >= 0.5:  # urgent: renewed in the first year
                planned[t] = renewal
                d = np.zeros(model.grades)
                d[0] = 1.0
            d = d @ step
            risk[t] = d[model.action :].sum()
            ends[t] = d
            if renew:
                reactive[t] = d[worst] * renewal
                d = d.copy()
                d[0] += d[worst]
                d[worst] = 0.0
        return planned, reactive, risk, ends, treated


def _groups(items, paths: _Paths, horizon: int, policy: str, *, exact: bool) -> list[_Group]:
    """Assets alike in kind, criticality, grade, time since inspection (to the quarter year)
    and in what they would cost (the most likely grade each year, the years a work is
    allowed, urgency): everything a plan does to one of them costs the same, and risk is
    linear in where they start, so the group's mean start gives its totals exactly. With
    `exact`, every asset is a group of its own."""
    by_kind: dict[str, list[Item]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    groups: dict[tuple, list] = {}
    for kind, members in by_kind.items():
        model = paths.kinds[kind]
        starts = np.array([paths.start(item) for item in members])
        likely, allowed, urgent = paths.signatures(starts, kind, horizon, _threshold(policy, model))
        for row, item in enumerate(members):
            if exact:
                key = (item.asset_id,)
            else:
                key = (
                    kind,
                    item.criticality,
                    item.grade,
                    round(item.years_since * QUARTERS),
                    bool(urgent[row]),
                    likely[row].tobytes(),
                    allowed[row].tobytes(),
                )
            entry = groups.setdefault(key, [kind, item.criticality, [], [], allowed[row]])
            entry[2].append(item)
            entry[3].append(starts[row])
    result = []
    for kind, criticality, members, starts, allowed in groups.values():
        starts = np.array(starts)
        worse = np.argsort(-starts[:, paths.kinds[kind].action :].sum(axis=1), kind="stable")
        result.append(
            _Group(
                kind,
                criticality,
                [members[i] for i in worse],  # the likeliest to be worn first
                starts[worse],
                [int(t) for t in np.flatnonzero(allowed)],
            )
        )
    return result


def _threshold(policy: str, model: KindModel) -> int:
    return {"preventive-ii": 1, "preventive-iii": model.action}.get(policy, model.grades - 1)


# --- Scenarios without choices ---------------------------------------------------------------


def scenario(items: Sequence[Item], kinds: dict[str, KindModel], horizon: int, *, renew: bool):
    """Do nothing (`renew` False: failed assets stay failed, nothing spent) or reactive
    (failures renewed as they happen, urgent assets in the first year)."""
    paths = _Paths(kinds)
    planned, reactive, backlog = np.zeros(horizon), np.zeros(horizon), np.zeros(horizon)
    grades = {k: np.zeros((horizon, m.grades)) for k, m in kinds.items()}
    risk = 0.0
    for group in _groups(items, paths, horizon, "reactive", exact=False):
        p, r, rk, ends, _ = paths.path(group.kind, group.start, horizon, None, renew=renew)
        n = group.size
        planned += n * p
        reactive += n * r
        grades[group.kind] += n * ends
        backlog += n * rk
        risk += n * group.criticality * rk.sum()
    return Outcome(planned, reactive, grades, backlog, risk)


# --- The plan --------------------------------------------------------------------------------


def plan(
    items: Sequence[Item],
    kinds: dict[str, KindModel],
    inputs: Inputs,
    *,
    exact: bool = False,
    time_limit: float = 120.0,
) -> Plan:
    """The plan of least expected risk within the budgets and the levelling limit."""
    horizon = inputs.horizon
    paths = _Paths(kinds)
    groups = _groups(items, paths, horizon, inputs.policy, exact=exact)
    scale = max((m.costs["renewal"] for m in kinds.values()), default=1.0) or 1.0
    base_planned = np.zeros(horizon)
    columns = []  # (group index, year, Δplanned (H,), Δrisk + weighted cost)
    urgent_assets = 0
    for index, group in enumerate(groups):
        start = group.start
        p0, _, r0, _, _ = paths.path(group.kind, start, horizon, None)
        base_planned += group.size * p0
        if p0[0] > 0:  # urgent: renewed in the first year, no other work
            urgent_assets += group.size
            continue
        for year in group.eligible:
            p, _, r, _, _ = paths.path(group.kind, start, horizon, year)
            gain = group.criticality * (r.sum() - r0.sum())
            columns.append((index, year, p - p0, gain + COST_WEIGHT * (p - p0).sum() / scale))
    result = Plan(inputs, feasible=True, urgent_cost=float(base_planned[0]), groups=len(groups))
    result.urgent_assets = urgent_assets
    budgets = np.asarray(inputs.budgets, dtype=float)
    why = _infeasible_before_solving(base_planned, budgets, inputs.levelling)
    if why:
        result.feasible, result.why_not, result.status = False, why, "infeasible"
        return result
    counts = _solve(groups, columns, base_planned, budgets, inputs.levelling, time_limit, result)
    if counts is None:
        return result
    taken = [0] * len(groups)
    for (index, year, _, _), count in sorted(
        zip(columns, counts, strict=True), key=lambda c: (c[0][1], c[0][0])
    ):
        if count <= 0:
            continue
        group = groups[index]  # the likeliest to be worn get the earliest works
        members = group.members[taken[index] : taken[index] + count]
        result.works += _works(paths, group, members, year, horizon)
        taken[index] += count
    for group in groups:  # the urgent renewals are works of the plan too
        if group.start[kinds[group.kind].grades - 1] >= 0.5:
            result.works += _works(paths, group, group.members, 0, horizon)
    result.works.sort(key=lambda w: (w.year, w.asset_id))
    result.outcome = evaluate(items, kinds, horizon, result.works)
    result.objective = result.outcome.risk
    return result


def _works(paths, group, members, year, horizon) -> list[Work]:
    """The works of `members` of a group in `year`: alike by construction, one path for all."""
    model = paths.kinds[group.kind]
    planned, _, _, _, treated = paths.path(group.kind, group.start, horizon, year)
    if treated < 0:  # the urgent renewal of the first year
        treated = model.grades - 1
    action = model.action_for(treated)
    return [Work(item.asset_id, year, action, planned[year], treated) for item in members]


def _infeasible_before_solving(base, budgets, levelling) -> str:
    if base[0] > budgets[0]:
        return (
            f"The first year's budget (¥{budgets[0]:,.0f}) is below the urgent work that "
            f"cannot wait: renewing the assets already at the worst grade costs "
            f"¥{base[0]:,.0f}."
        )
    if levelling is not None and levelling < 0:
        return "The levelling limit cannot be negative."
    return ""


def _solve(groups, columns, base, budgets, levelling, time_limit, result):
    """The integer program over (group, year) counts; None (with the reason in `result`)
    when it has no solution."""
    horizon = len(budgets)
    if not columns:
        return []
    n = len(columns)
    cost = np.array([c[3] for c in columns])
    delta = np.array([c[2] for c in columns]).T  # (H, n)
    rows, lower, upper = [], [], []
    rows.append(csr_array(delta))
    lower += [-np.inf] * horizon
    upper += list(budgets - base)
    if levelling is not None and horizon > 1:
        # The urgent renewals of the first year (all of `base`) are a backlog to clear, not
        # spend to level: the limit holds between the planned works of successive years.
        change = delta[1:] - delta[:-1]
        rows.append(csr_array(change))
        lower += [-levelling] * (horizon - 1)
        upper += [levelling] * (horizon - 1)
    once = lil_array((len(groups), n))
    for column, (index, _, _, _) in enumerate(columns):
        once[index, column] = 1
    rows.append(once.tocsr())
    lower += [0] * len(groups)
    upper += [g.size for g in groups]
    matrix = vstack(rows).tocsr()
    sizes = np.array([groups[c[0]].size for c in columns], dtype=float)
    solved = milp(
        cost,
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), sizes),
        constraints=LinearConstraint(matrix, np.array(lower), np.array(upper)),
        options={"time_limit": time_limit, "mip_rel_gap": 1e-4, "disp": False},
    )
    result.status = solved.message
    if solved.x is None:
        result.feasible = False
        result.why_not = _levelling_explanation(base, budgets, levelling)
        return None
    return [int(np.rint(v)) for v in solved.x]


def _levelling_explanation(base, budgets, levelling) -> str:
    years = ", ".join(f"¥{b:,.0f}" for b in budgets)
    return (
        f"No plan meets the yearly budgets ({years}) and the levelling limit "
        f"(¥{levelling or 0:,.0f}) together: with at most one planned work per asset, the "
        f"limit on how much the planned spend may change from one year to the next cannot be "
        f"kept within these budgets (the first year also carries ¥{base[0]:,.0f} of urgent "
        f"renewals). Raise the limit, or change the budgets."
    )


def evaluate(items, kinds, horizon, works: Sequence[Work]) -> Outcome:
    """A plan's years, asset by asset."""
    paths = _Paths(kinds)
    treat = {w.asset_id: w.year for w in works}
    planned, reactive, backlog = np.zeros(horizon), np.zeros(horizon), np.zeros(horizon)
    grades = {k: np.zeros((horizon, m.grades)) for k, m in kinds.items()}
    risk = 0.0
    for item in items:
        start = paths.start(item)
        p, r, rk, ends, _ = paths.path(item.kind, start, horizon, treat.get(item.asset_id))
        planned += p
        reactive += r
        grades[item.kind] += ends
        backlog += rk
        risk += item.criticality * rk.sum()
    return Outcome(planned, reactive, grades, backlog, risk)
