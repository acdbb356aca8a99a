"""Textbook check: run our solvers on stockpyl's 70 instances and compare with known answers.

The instances are read from the shared data folder (``optimization/inventory/
stockpyl_instances.json``); each one is dispatched to the solver for its kind and the resulting
numbers are compared with :data:`~supplypilot.plan.inventory._textbook_answers.ANSWERS`.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from supplypilot.config import data_dir
from supplypilot.errors import InputError
from supplypilot.plan.inventory._eoq import (
    eoq,
    eoq_all_units_discount,
    eoq_with_backorders,
    epq,
    joint_replenishment,
    wagner_whitin,
)
from supplypilot.plan.inventory._gsm import GuaranteedServiceModel, label_tree
from supplypilot.plan.inventory._network import propagate_demand, rosling_reduction
from supplypilot.plan.inventory._newsvendor import base_stock, newsvendor, newsvendor_explicit
from supplypilot.plan.inventory._rq import RQ_METHODS, rq_cost, rq_policy
from supplypilot.plan.inventory._serial import serial_base_stock
from supplypilot.plan.inventory._ss import finite_horizon, ss_policy
from supplypilot.plan.inventory._supply import (
    eoq_with_disruptions,
    eoq_with_yield,
    newsvendor_with_disruptions,
    newsvendor_with_yield,
)
from supplypilot.plan.inventory._textbook_answers import ANSWERS, Answer, Check

INSTANCE_FILE = Path("optimization") / "inventory" / "stockpyl_instances.json"


def load_textbook_instances(path: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """The 70 instances as ``{name: {"description", "type", "data"}}``.

    ``path`` defaults to ``SUPPLYPILOT_DATA/optimization/inventory/stockpyl_instances.json``.
    """
    file = Path(path) if path is not None else data_dir() / INSTANCE_FILE
    if not file.is_file():
        raise InputError(f"The textbook instance file was not found at {file}. Set "
                         f"SUPPLYPILOT_DATA to the shared data folder.", where=str(file))
    doc = json.loads(file.read_text())
    return {i["name"]: {"description": i["description"], "type": i["type"], "data": i["data"]}
            for i in doc["instances"]}


def solve_textbook_instance(name: str, instance: dict[str, Any]) -> dict[str, Any]:
    """Solve one instance with the solver for its kind; returns the numbers its answer checks.

    Raises :class:`InputError` when the instance data cannot be solved as stored.
    """
    if name not in ANSWERS:
        raise InputError(f"No known answer for instance {name!r}.", where="name")
    kind = ANSWERS[name].kind
    data = instance["data"]
    return _SOLVERS[kind](data)


@dataclass(frozen=True)
class CheckResult:
    label: str
    expected: Any
    ours: Any
    ok: bool
    abs_error: float
    rel_error: float


def compare_with_answer(name: str, ours: dict[str, Any]) -> list[CheckResult]:
    """Compare solver output with the known answer of ``name``, check by check."""
    return [_compare(c, ours.get(c.label)) for c in ANSWERS[name].checks]


def textbook_names() -> list[str]:
    """Names of the instances with a known answer (the 70 of the shared file)."""
    return list(ANSWERS)


def textbook_instance_file() -> Path:
    """Where the instances are read from: ``SUPPLYPILOT_DATA/optimization/inventory/...``."""
    return data_dir() / INSTANCE_FILE


def textbook_answer(name: str) -> Answer:
    """The known answer (checks, source, note) of one instance."""
    return ANSWERS[name]


def _compare(check: Check, ours: Any) -> CheckResult:
    exp = check.expected
    if ours is None:
        return CheckResult(check.label, exp, None, False, math.inf, math.inf)
    if isinstance(exp, dict):
        keys = sorted(exp)
        if sorted(ours) != keys:
            return CheckResult(check.label, exp, ours, False, math.inf, math.inf)
        e = np.array([exp[k] for k in keys], float)
        o = np.array([ours[k] for k in keys], float)
    else:
        e, o = np.atleast_1d(np.asarray(exp, float)), np.atleast_1d(np.asarray(ours, float))
        if e.shape != o.shape:
            return CheckResult(check.label, exp, ours, False, math.inf, math.inf)
    diff = np.abs(o - e)
    abs_err = float(diff.max())
    rel_err = float((diff / np.maximum(np.abs(e), 1e-300)).max())
    if check.mode == "not_worse":
        ok = bool(np.all(o <= e * (1 + check.rel) + check.abs)
                  and np.all(o >= e * (1 - check.band)))
    else:
        ok = bool(np.all(diff <= check.abs + check.rel * np.abs(e)))
    return CheckResult(check.label, exp, ours, ok, abs_err, rel_err)


# --------------------------------------------------------------------------- single echelon


def _eoq(d: dict) -> dict:
    p = eoq(d["fixed_cost"], d["holding_cost"], d["demand_rate"])
    return {"cost": p.expected_cost, "order_quantity": p["order_quantity"]}


def _eoqb(d: dict) -> dict:
    p = eoq_with_backorders(d["fixed_cost"], d["holding_cost"], d["stockout_cost"],
                            d["demand_rate"])
    return {"cost": p.expected_cost, "order_quantity": p["order_quantity"],
            "backorder_fraction": p["backorder_fraction"]}


def _epq(d: dict) -> dict:
    p = epq(d["fixed_cost"], d["holding_cost"], d["demand_rate"], d["production_rate"])
    return {"cost": p.expected_cost, "order_quantity": p["order_quantity"]}


def _all_units(d: dict) -> dict:
    p = eoq_all_units_discount(d["fixed_cost"], d["holding_cost_rate"], d["demand_rate"],
                               d["breakpoints"], d["unit_costs"])
    return {"cost": p.expected_cost, "order_quantity": p["order_quantity"], "region": p["region"]}


def _ww(d: dict) -> dict:
    p = wagner_whitin(d["demand"], d["fixed_cost"], d["holding_cost"],
                      d.get("purchase_cost", 0.0))
    return {"cost": p.expected_cost, "order_quantities": p["order_quantities"]}


def _jrp(d: dict) -> dict:
    p = joint_replenishment(d["shared_fixed_cost"], d["individual_fixed_costs"],
                            d["holding_costs"], d["demand_rates"])
    return {"cost": p.expected_cost, "base_cycle_time": p["base_cycle_time"],
            "order_multiples": p["order_multiples"]}


def _nv(d: dict) -> dict:
    p = newsvendor(d["holding_cost"], d["stockout_cost"], d["demand_mean"], d["demand_sd"])
    return {"cost": p.expected_cost, "base_stock_level": p["base_stock_level"]}


def _nv_network(d: dict) -> dict:
    (node,) = d["_nodes"]
    ds = node["demand_source"]
    # stockpyl's simulator ships an order placed in period t at the start of period t + L, so
    # shipment lead time L protects L periods of demand: base stock with textbook lead time L-1
    p = base_stock(node["local_holding_cost"], node["stockout_cost"], ds["mean"],
                   ds["standard_deviation"], lead_time=node["shipment_lead_time"] - 1)
    return {"cost": p.expected_cost, "base_stock_level": p["base_stock_level"]}


def _nv_explicit(d: dict) -> dict:
    p = newsvendor_explicit(d["revenue"], d["purchase_cost"], d["salvage_value"],
                            d["demand_mean"], d["demand_sd"])
    return {"profit": p.details["expected_profit"], "base_stock_level": p["base_stock_level"]}


def _base_stock(d: dict) -> dict:
    p = base_stock(d["holding_cost"], d["stockout_cost"], d["demand_mean"], d["demand_sd"],
                   lead_time=d["lead_time"])
    return {"cost": p.expected_cost, "base_stock_level": p["base_stock_level"]}


def _nv_poisson(d: dict) -> dict:
    p = newsvendor(d["holding_cost"], d["stockout_cost"],
                   distribution=stats.poisson(d["demand_mean"]))
    return {"cost": p.expected_cost, "base_stock_level": p["base_stock_level"]}


def _nv_pmf(d: dict) -> dict:
    pmf = {float(k): v for k, v in d["demand_pmf"].items()}
    p = newsvendor(d["holding_cost"], d["stockout_cost"], demand_pmf=pmf)
    return {"cost": p.expected_cost, "base_stock_level": p["base_stock_level"]}


def _nv_lognormal(d: dict) -> dict:
    dist = stats.lognorm(d["sigma"], 0, math.exp(d["mu"]))
    p = newsvendor(d["holding_cost"], d["stockout_cost"], distribution=dist)
    return {"cost": p.expected_cost, "base_stock_level": p["base_stock_level"]}


def _ss_poisson(d: dict) -> dict:
    p = ss_policy(d["holding_cost"], d["stockout_cost"], d["fixed_cost"], d["demand_mean"])
    return {"cost": p.expected_cost, "s": p["s"], "S": p["S"]}


def _ss_power(d: dict) -> dict:
    p = ss_policy(d["holding_cost"], d["stockout_cost"], d["fixed_cost"], d["demand_mean"],
                  d["demand_sd"], distribution="normal", method="power")
    return {"s": p["s"], "S": p["S"]}


def _finite_horizon(d: dict) -> dict:
    p = finite_horizon(d["num_periods"], d["holding_cost"], d["stockout_cost"],
                       d["terminal_holding_cost"], d["terminal_stockout_cost"],
                       d["purchase_cost"], d["fixed_cost"], d["demand_mean"], d["demand_sd"],
                       d["discount_factor"], d["initial_inventory_level"])
    return {"cost": p.expected_cost, "order_up_to_levels": p["order_up_to_levels"],
            "reorder_points": p["reorder_points"]}


def _rq_normal(d: dict) -> dict:
    args = (d["holding_cost"], d["stockout_cost"], d["fixed_cost"], d["demand_mean"],
            d["demand_sd"], d["lead_time"])
    out: dict[str, Any] = {}
    for m in RQ_METHODS:
        p = rq_policy(*args, method=m)
        out[f"{m}_reorder_point"], out[f"{m}_order_quantity"] = p["reorder_point"], \
            p["order_quantity"]
        out[f"{m}_cost"] = p.details.get("method_cost", p.expected_cost)
    for r, q in ((126.8, 328.5), (-1.9859, 166.95)):
        out[f"exact_cost_at_{r:g}_{q:g}"] = rq_cost(r, q, *args)
    return out


def _rq_poisson(d: dict) -> dict:
    p = rq_policy(d["holding_cost"], d["stockout_cost"], d["fixed_cost"], d["demand_mean"],
                  lead_time=d["lead_time"], distribution="poisson")
    return {"cost": p.expected_cost, "reorder_point": p["reorder_point"],
            "order_quantity": p["order_quantity"]}


# --------------------------------------------------------------------------- networks


def _serial_chain(nodes: list[dict]) -> list[dict]:
    """Nodes of a serial network, customer-facing first."""
    by_index = {n["_index"]: n for n in nodes}
    (last,) = [n for n in nodes if not n["_successor_indices"]]
    chain = [last]
    while chain[-1]["_predecessor_indices"]:
        (up,) = chain[-1]["_predecessor_indices"]
        chain.append(by_index[up])
    return chain


def _ssm(d: dict) -> dict:
    chain = _serial_chain(d["_nodes"])
    echelon = []
    for j, node in enumerate(chain):
        h = node.get("echelon_holding_cost")
        if h is None:
            up = chain[j + 1]["local_holding_cost"] if j + 1 < len(chain) else 0.0
            h = node["local_holding_cost"] - up
        if h < 0:
            raise InputError(f"Stage {node['_index']} has a negative echelon holding cost "
                             f"({h:g}): its local holding cost is below its supplier's, which "
                             f"the Clark-Scarf model does not allow.",
                             where="echelon_holding_cost")
        echelon.append(h)
    ds = chain[0]["demand_source"]
    dist = {"N": "normal", "P": "poisson"}[ds["type"]]
    res = serial_base_stock(echelon, [n["shipment_lead_time"] for n in chain],
                            chain[0]["stockout_cost"], ds["mean"],
                            ds.get("standard_deviation") if dist == "normal" else None,
                            distribution=dist)
    return {"cost": res.objective, "echelon_base_stock": res.echelon_base_stock}


def _assembly(d: dict) -> dict:
    nodes = d["_nodes"]
    lead = {n["_index"]: n["shipment_lead_time"] for n in sorted(nodes,
                                                                   key=lambda n: n["_index"])}
    succ = {n["_index"]: (n["_successor_indices"][0] if n["_successor_indices"] else None)
            for n in nodes}
    red = rosling_reduction(lead, succ)
    return {"forward_echelon_lead_time": red.forward_echelon_lead_time,
            "equivalent_lead_time": red.equivalent_lead_time}


def _distribution(d: dict) -> dict:
    nodes = d["_nodes"]
    succ = {n["_index"]: n["_successor_indices"] for n in nodes}
    mean = {n["_index"]: n["demand_source"].get("mean") or 0.0 for n in nodes}
    sd = {n["_index"]: n["demand_source"].get("standard_deviation") or 0.0 for n in nodes}
    m, s = propagate_demand(succ, mean, sd)
    return {"derived_demand_mean": m, "derived_demand_std": s}


def _gsm(d: dict) -> dict:
    model = GuaranteedServiceModel()
    nodes = d["_nodes"]
    for n in nodes:
        ds = n["demand_source"]
        z = n.get("demand_bound_constant")
        model.add_stage(n["_index"], n.get("processing_time") or 0,
                        n.get("local_holding_cost") or 0.0, demand_mean=ds.get("mean") or 0.0,
                        demand_std=ds.get("standard_deviation") or 0.0,
                        max_service_time=n.get("external_outbound_cst"),
                        external_inbound_service_time=n.get("external_inbound_cst") or 0,
                        demand_bound=1.0 if z is None else z)
    for n in nodes:
        for s in n["_successor_indices"]:
            model.add_link(n["_index"], s)
    res = model.solve()
    return {"cost": res.objective, "service_times": res.service_times}


def _labelling(d: dict) -> dict:
    nodes = d["_nodes"]
    edges = [(n["_index"], s) for n in nodes for s in n["_successor_indices"]]
    return {"labels": label_tree([n["_index"] for n in nodes], edges)}


# --------------------------------------------------------------------------- supply uncertainty


def _eoqd(d: dict) -> dict:
    p = eoq_with_disruptions(d["fixed_cost"], d["holding_cost"], d["stockout_cost"],
                             d["demand_rate"], d["disruption_rate"], d["recovery_rate"])
    return {"cost": p.expected_cost, "order_quantity": p["order_quantity"]}


def _nv_disruptions(d: dict) -> dict:
    p = newsvendor_with_disruptions(d["holding_cost"], d["stockout_cost"], d["demand"],
                                    d["disruption_prob"], d["recovery_prob"])
    return {"cost": p.expected_cost, "base_stock_level": p["base_stock_level"]}


def _yield(model: str) -> Any:
    def solve(d: dict) -> dict:
        p = eoq_with_yield(d["fixed_cost"], d["holding_cost"], d["demand_rate"], d["yield_mean"],
                           d["yield_sd"], model=model)
        return {"cost": p.expected_cost, "order_quantity": p["order_quantity"]}

    return solve


def _nv_yield(d: dict) -> dict:
    dist = stats.uniform(d["yield_lo"], d["yield_hi"] - d["yield_lo"])
    p = newsvendor_with_yield(d["holding_cost"], d["stockout_cost"], d["demand"], dist)
    return {"cost": p.expected_cost, "order_quantity": p["order_quantity"]}


_SOLVERS = {
    "eoq": _eoq, "eoqb": _eoqb, "epq": _epq, "eoq_all_units": _all_units,
    "wagner_whitin": _ww, "jrp": _jrp, "newsvendor": _nv, "newsvendor_network": _nv_network,
    "newsvendor_explicit": _nv_explicit, "base_stock": _base_stock,
    "newsvendor_poisson": _nv_poisson, "newsvendor_pmf": _nv_pmf,
    "newsvendor_lognormal": _nv_lognormal, "ss_poisson": _ss_poisson, "ss_power": _ss_power,
    "finite_horizon": _finite_horizon, "rq_normal": _rq_normal, "rq_poisson": _rq_poisson,
    "ssm_serial": _ssm, "assembly": _assembly, "distribution": _distribution, "gsm": _gsm,
    "tree_labelling": _labelling, "eoqd": _eoqd, "nv_disruptions": _nv_disruptions,
    "eoq_yield_additive": _yield("additive"), "eoq_yield_multiplicative": _yield("multiplicative"),
    "nv_yield": _nv_yield,
}


def run_textbook_check(names: list[str] | None = None,
                       path: str | Path | None = None) -> list[dict[str, Any]]:
    """Solve and compare every (or the named) instance; one summary dict per instance.

    Each dict has ``name``, ``kind``, ``status`` (``"matched"``, ``"mismatch"``, ``"refused"``
    for data that cannot be solved as stored, or ``"error"``), ``checks`` (list of
    :class:`CheckResult`), ``seconds`` and ``message``.
    """
    instances = load_textbook_instances(path)
    rows = []
    for name in names or list(instances):
        answer = ANSWERS[name]
        start = time.perf_counter()
        try:
            ours = solve_textbook_instance(name, instances[name])
            checks = compare_with_answer(name, ours)
            status = "matched" if checks and all(c.ok for c in checks) else "mismatch"
            message = ""
        except InputError as exc:
            checks, status, message = [], "refused", str(exc)
        rows.append({"name": name, "kind": answer.kind, "status": status, "checks": checks,
                     "seconds": time.perf_counter() - start, "message": message,
                     "source": answer.source, "note": answer.note})
    return rows
