"""Solving with HiGHS and reading the answer: plan, duals, binding capacities, conflicts.

Everything here turns solver output back into the planner's words; the programme itself is
built in ``_lp``.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import numpy as np
import pandas as pd

from supplypilot.plan.network._lp import CAPACITY_KINDS, COST_PARTS, _Lp, _Row, _to_highs
from supplypilot.plan.network.model import TOL, NetworkModel
from supplypilot.plan.network.result import FLOW_COLUMNS, NetworkResult
from supplypilot.plan.result import SolveStatus

logger = logging.getLogger("supplypilot.plan.network")

IIS_IRREDUCIBLE_MAX_ROWS = 1000
"""Largest programme (rows) whose conflict set is made irreducible; see ``_explain``."""


# --------------------------------------------------------------------------- solving


def _solve(m: NetworkModel, lp: _Lp, time_limit: float, seed: int, mip_gap: float,
           t0: float) -> NetworkResult:
    import highspy

    h = _to_highs(lp)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    is_mip = any(lp.col_integer)
    h.run()
    ms = h.getModelStatus()
    if ms == highspy.HighsModelStatus.kUnboundedOrInfeasible:
        h.setOptionValue("presolve", "off")
        h.run()
        ms = h.getModelStatus()
    info = h.getInfo()
    size = {"variables": len(lp.col_kind), "constraints": len(lp.rows),
            "nonzeros": len(lp.entries[0]), "binaries": sum(k == "open" for k in lp.col_kind)}
    res = NetworkResult(status=SolveStatus.NONE, name=m.name, seed=seed, size=size,
                        solver=f"HiGHS {h.version()} ({'MILP' if is_mip else 'LP'})")
    if ms == highspy.HighsModelStatus.kInfeasible:
        res.status = SolveStatus.INFEASIBLE
        _explain(m, lp, res, time_limit)
    elif ms == highspy.HighsModelStatus.kOptimal or info.primal_solution_status == 2:
        res.status = SolveStatus.OPTIMAL if ms == highspy.HighsModelStatus.kOptimal \
            else SolveStatus.FEASIBLE
        _read_plan(m, lp, h, res, is_mip)
    else:
        res.reasons.append(f"HiGHS stopped without a plan: {h.modelStatusToString(ms)}.")
    res.runtime = time.perf_counter() - t0
    logger.debug("network %s solved: %s in %.3f s", m.name, res.status.value, res.runtime)
    return res


def _read_plan(m: NetworkModel, lp: _Lp, h: Any, res: NetworkResult, is_mip: bool) -> None:
    """Fill flows, costs, service and binding capacities from HiGHS's solution."""
    x = np.asarray(h.getSolution().col_value, dtype=float)
    info = h.getInfo()
    if is_mip:
        res.bound = float(info.mip_dual_bound)
        duals, acts = _fixed_duals(lp, x)
    else:
        sol = h.getSolution()
        duals = np.asarray(sol.row_dual, dtype=float) if sol.dual_valid else None
        acts = np.asarray(sol.row_value, dtype=float)
    res.cost_breakdown = {k: float(np.dot(np.asarray(lp.col_cost[k], dtype=float), x))
                          for k in COST_PARTS}
    res.cost_breakdown["fixed"] += lp.fixed_offset
    res.objective = float(sum(res.cost_breakdown.values()))
    if not is_mip:
        res.bound = res.objective
    flows, made, short = [], [], {}
    for c, kind in enumerate(lp.col_kind):
        v = float(x[c])
        if kind == "open":
            res.opened[lp.col_ref[c]] = v > 0.5
        elif v <= TOL:
            continue
        elif kind == "flow":
            ln, p = lp.col_ref[c]
            unit = sum(lp.col_cost[k][c] for k in COST_PARTS)
            flows.append((ln.src, ln.dst, ln.mode, p, v, unit, unit * v))
        elif kind == "make":
            made.append((*lp.col_ref[c], v))
        else:
            short[lp.col_ref[c]] = v
    for n, nd in m._nodes.items():
        if nd.open is False:
            res.opened[n] = False
    res.flows = pd.DataFrame(flows, columns=FLOW_COLUMNS).sort_values(
        ["src", "dst", "mode", "product"], ignore_index=True)
    res.production = pd.DataFrame(made, columns=["plant", "product", "qty"])
    serv = [(r.node, r.product, r.limit, r.limit - short.get((r.node, r.product), 0.0),
             short.get((r.node, r.product), 0.0)) for r in lp.rows if r.kind == "demand"]
    res.service_table = pd.DataFrame(serv, columns=["customer", "product", "demand", "delivered",
                                                    "short"])
    _binding(lp, x, acts, duals, res)


def _fixed_duals(lp: _Lp, x: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """Duals of a MILP plan: re-solve the LP with every integer variable fixed at its value.

    Shadow prices only exist for an LP; fixing the opening decisions at the optimum (and
    letting whole-unit flows be fractional) gives the usual reading "what one more unit of
    capacity saves, with the same plants and DCs open".
    """
    h = _to_highs(lp, relax=True)
    idx = np.flatnonzero(np.asarray(lp.col_kind) == "open").astype(np.int32)
    vals = np.round(x[idx])
    h.changeColsBounds(len(idx), idx, vals, vals)
    h.run()
    sol = h.getSolution()
    acts = np.asarray(sol.row_value, dtype=float)
    return (np.asarray(sol.row_dual, dtype=float) if sol.dual_valid else None), acts


def _binding(lp: _Lp, x: np.ndarray, acts: np.ndarray, duals: np.ndarray | None,
             res: NetworkResult) -> None:
    out = []
    for i, r in enumerate(lp.rows):
        if r.kind not in CAPACITY_KINDS or r.limit is None:
            continue
        used = float(acts[i])
        limit = float(r.limit)
        if r.y_col is not None:
            if x[r.y_col] < 0.5:
                continue
            used += limit * float(x[r.y_col])
        if used < limit - TOL * max(1.0, abs(limit)):
            continue
        en, _zh = _words(r)
        sp = float(duals[i]) + 0.0 if duals is not None else math.nan  # no -0.0
        out.append((en, r.kind, r.node, r.product, limit, used, sp))
        saves = "" if math.isnan(sp) else f"; one more unit would save {_fmt(max(-sp, 0.0))}"
        res.binding.append(f"{en} is fully used{saves}")
    res.binding_table = pd.DataFrame(out, columns=["constraint", "kind", "node", "product",
                                                   "limit", "used", "shadow_price"])


# --------------------------------------------------------------------------- infeasibility


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.2f}"


def _words(r: _Row) -> tuple[str, str]:
    """One row in the planner's words, English and Chinese."""
    lim = _fmt(r.limit)
    if r.kind == "demand":
        return (f"demand at {r.node} ({lim} units of {r.product})",
                f"{r.node} 的 {r.product} 需求（{lim} 单位）")
    if r.kind == "balance":
        return f"flow balance of {r.product} at {r.node}", f"{r.node} 处 {r.product} 的流量守恒"
    if r.kind == "lane" and r.lane is not None:
        return (f"capacity of lane {r.lane.src}→{r.lane.dst} by {r.lane.mode} ({lim} units)",
                f"线路 {r.lane.src}→{r.lane.dst}（{r.lane.mode}）的运力（{lim} 单位）")
    if r.kind in ("supply", "supply_product"):
        of = f" for {r.product}" if r.product else ""
        zof = f" {r.product} " if r.product else ""
        return (f"capacity of supplier {r.node}{of} ({lim} units)",
                f"供应商 {r.node} 的{zof}产能（{lim} 单位）")
    if r.kind in ("plant", "plant_product"):
        of = f" for {r.product}" if r.product else ""
        return f"capacity of plant {r.node}{of} ({lim} units)", f"工厂 {r.node} 的产能（{lim} 单位）"
    if r.kind == "open":  # a node without capacity whose opening is decided: big-M row
        return (f"throughput of {r.node} when open (at most {lim} units)",
                f"{r.node} 开启后的通过量（最多 {lim} 单位）")
    return f"capacity of DC {r.node} ({lim} units)", f"配送中心 {r.node} 的容量（{lim} 单位）"


def _explain(m: NetworkModel, lp: _Lp, res: NetworkResult, time_limit: float) -> None:
    """Find an irreducible infeasible subset with HiGHS and say it in domain words.

    The IIS is computed on the LP (binaries relaxed): opening a plant or DC only adds
    capacity, so the MILP is infeasible exactly when its relaxation is. HiGHS's deletion
    filter proves the set irreducible but solves many LPs (about a minute on 2,600 rows);
    above ``IIS_IRREDUCIBLE_MAX_ROWS`` rows the set comes from one LP (seconds), still a set
    that cannot hold together, but maybe not minimal; ``extra["conflicts_irreducible"]``
    says which.
    """
    import highspy

    h = _to_highs(lp, relax=True)
    h.setOptionValue("time_limit", float(time_limit))
    exact = len(lp.rows) <= IIS_IRREDUCIBLE_MAX_ROWS
    strategy = highspy.IisStrategy.kIisStrategyIrreducible if exact else \
        highspy.IisStrategy.kIisStrategyFromLp
    h.setOptionValue("iis_strategy", int(strategy))
    res.extra["conflicts_irreducible"] = exact
    h.run()
    status, iis = h.getIis()
    rows = [lp.rows[i] for i in (iis.row_index_ if iis.valid_ else [])]
    if status != highspy.HighsStatus.kOk or not rows:
        res.reasons.append("HiGHS proved the plan infeasible but found no conflict set.")
        return
    res.conflict_table = pd.DataFrame(
        [(_words(r)[0], r.kind, r.node, r.product, r.limit) for r in rows],
        columns=["constraint", "kind", "node", "product", "limit"])
    res.conflicts = [_words(r)[0] for r in rows]
    en, zh = _conflict_sentence(m, rows)
    res.reasons.append(en)
    res.extra["reasons_zh"] = [zh]


def _conflict_sentence(m: NetworkModel, rows: list[_Row]) -> tuple[str, str]:
    demands = [r for r in rows if r.kind == "demand"]
    limits = [r for r in rows if r.kind in CAPACITY_KINDS]
    at: dict[str, list[_Row]] = {}
    for r in demands:
        at.setdefault(r.node, []).append(r)
    if len(at) <= 3:
        d_en = ", ".join(f"{n} (" + ", ".join(f"{_fmt(r.limit)} units of {r.product}"
                                              for r in rs) + ")" for n, rs in at.items())
        d_zh = "、".join(f"{n}（" + "、".join(f"{r.product} {_fmt(r.limit)} 单位" for r in rs)
                         + "）" for n, rs in at.items())
    else:  # a long list hides the point: count, name a few, give the total
        few, total = ", ".join(list(at)[:3]), _fmt(sum(r.limit or 0.0 for r in demands))
        d_en = f"{len(at)} customers ({few}, ...; {total} units in all)"
        d_zh = f"{len(at)} 个客户（{few} 等，共 {total} 单位）"
    l_en = ", ".join(_words(r)[0].removeprefix("capacity of ") for r in limits)
    l_zh = "、".join(_words(r)[1] for r in limits)
    if demands and limits:
        tot_d = sum(r.limit or 0.0 for r in demands)
        tot_c = sum(r.limit or 0.0 for r in limits)
        if tot_d > tot_c + TOL and len(limits) == 1:
            en = f"Demand at {d_en} exceeds the capacity of {l_en}"
            zh = f"{d_zh}的需求超过了{l_zh}"
        elif tot_d > tot_c + TOL:
            en = f"Demand at {d_en} exceeds the total capacity ({_fmt(tot_c)} units) of {l_en}"
            zh = f"{d_zh}的需求超过了{l_zh}的总能力（共 {_fmt(tot_c)} 单位）"
        else:
            en = f"Demand at {d_en} cannot be met within the capacity of {l_en}"
            zh = f"在{l_zh}的能力范围内无法满足{d_zh}的需求"
    elif demands:
        en = f"Demand at {d_en} cannot be reached: no open lane brings it there"
        zh = f"{d_zh}的需求无法送达：没有可用的线路"
    else:
        en = "These constraints cannot hold together: " + "; ".join(_words(r)[0] for r in rows)
        zh = "以下约束无法同时满足：" + "；".join(_words(r)[1] for r in rows)
    named = {r.node for r in rows} | {r.lane.dst for r in rows if r.lane is not None}
    near = named | {ln.src for ln in m._lanes.values() if ln.dst in named} | \
        {ln.dst for ln in m._lanes.values() if ln.src in named}
    after = [(e, z) for e, z, nodes in m.changes if nodes & near]
    if after:
        more = f" and {len(after) - 3} more edits" if len(after) > 3 else ""
        zmore = f"等 {len(after)} 项修改" if len(after) > 3 else ""
        en += ", after " + " and ".join(e for e, _ in after[:3]) + more
        zh += "（" + "、".join(z for _, z in after[:3]) + zmore + "之后）"
    return en + ".", zh + "。"
