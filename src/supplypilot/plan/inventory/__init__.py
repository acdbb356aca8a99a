"""Inventory policies: how much to order, when, and how much safety stock to keep.

Single item, single location
    :func:`recommend_policy` (the friendly entry) and :func:`policies_table` (many rows);
    lot sizing (:func:`eoq`, :func:`eoq_with_backorders`, :func:`epq`,
    :func:`eoq_all_units_discount`, :func:`wagner_whitin`, :func:`joint_replenishment`);
    stochastic policies (:func:`newsvendor`, :func:`base_stock`, :func:`rq_policy`,
    :func:`ss_policy`, :func:`finite_horizon`); buffers (:func:`safety_stock`); supply
    uncertainty (:func:`eoq_with_disruptions`, :func:`newsvendor_with_disruptions`,
    :func:`eoq_with_yield`, :func:`newsvendor_with_yield`). All return an
    :class:`InventoryPolicy`.

Multi-echelon
    :class:`GuaranteedServiceModel` (GSM on serial and tree networks, exact Graves-Willems DP),
    :func:`serial_base_stock` (stochastic-service serial systems, exact Clark-Scarf /
    Chen-Zheng), :func:`rosling_reduction` (assembly systems) and :func:`propagate_demand`.

Textbook check
    :func:`run_textbook_check` solves stockpyl's 70 textbook instances and compares with their
    known answers.
"""

from supplypilot.plan.inventory._eoq import eoq as eoq
from supplypilot.plan.inventory._eoq import eoq_all_units_discount as eoq_all_units_discount
from supplypilot.plan.inventory._eoq import eoq_with_backorders as eoq_with_backorders
from supplypilot.plan.inventory._eoq import epq as epq
from supplypilot.plan.inventory._eoq import joint_replenishment as joint_replenishment
from supplypilot.plan.inventory._eoq import wagner_whitin as wagner_whitin
from supplypilot.plan.inventory._gsm import GSMResult as GSMResult
from supplypilot.plan.inventory._gsm import GuaranteedServiceModel as GuaranteedServiceModel
from supplypilot.plan.inventory._gsm import Stage as Stage
from supplypilot.plan.inventory._gsm import label_tree as label_tree
from supplypilot.plan.inventory._network import AssemblyReduction as AssemblyReduction
from supplypilot.plan.inventory._network import propagate_demand as propagate_demand
from supplypilot.plan.inventory._network import rosling_reduction as rosling_reduction
from supplypilot.plan.inventory._newsvendor import base_stock as base_stock
from supplypilot.plan.inventory._newsvendor import newsvendor as newsvendor
from supplypilot.plan.inventory._newsvendor import newsvendor_explicit as newsvendor_explicit
from supplypilot.plan.inventory._recommend import policies_table as policies_table
from supplypilot.plan.inventory._recommend import recommend_policy as recommend_policy
from supplypilot.plan.inventory._rq import rq_cost as rq_cost
from supplypilot.plan.inventory._rq import rq_cost_poisson as rq_cost_poisson
from supplypilot.plan.inventory._rq import rq_policy as rq_policy
from supplypilot.plan.inventory._safety import lead_time_demand_std as lead_time_demand_std
from supplypilot.plan.inventory._safety import safety_stock as safety_stock
from supplypilot.plan.inventory._serial import SerialResult as SerialResult
from supplypilot.plan.inventory._serial import serial_base_stock as serial_base_stock
from supplypilot.plan.inventory._serial import serial_expected_cost as serial_expected_cost
from supplypilot.plan.inventory._ss import finite_horizon as finite_horizon
from supplypilot.plan.inventory._ss import ss_cost as ss_cost
from supplypilot.plan.inventory._ss import ss_policy as ss_policy
from supplypilot.plan.inventory._supply import eoq_with_disruptions as eoq_with_disruptions
from supplypilot.plan.inventory._supply import (
    eoq_with_disruptions_cost as eoq_with_disruptions_cost,
)
from supplypilot.plan.inventory._supply import eoq_with_yield as eoq_with_yield
from supplypilot.plan.inventory._supply import (
    newsvendor_with_disruptions as newsvendor_with_disruptions,
)
from supplypilot.plan.inventory._supply import newsvendor_with_yield as newsvendor_with_yield
from supplypilot.plan.inventory._textbook import CheckResult as CheckResult
from supplypilot.plan.inventory._textbook import compare_with_answer as compare_with_answer
from supplypilot.plan.inventory._textbook import load_textbook_instances as load_textbook_instances
from supplypilot.plan.inventory._textbook import run_textbook_check as run_textbook_check
from supplypilot.plan.inventory._textbook import solve_textbook_instance as solve_textbook_instance
from supplypilot.plan.inventory._textbook import textbook_answer as textbook_answer
from supplypilot.plan.inventory._textbook import textbook_instance_file as textbook_instance_file
from supplypilot.plan.inventory._textbook import textbook_names as textbook_names
from supplypilot.plan.inventory._types import InventoryPolicy as InventoryPolicy

__all__ = [
    "AssemblyReduction", "CheckResult", "GSMResult", "GuaranteedServiceModel", "InventoryPolicy",
    "SerialResult", "Stage", "base_stock", "compare_with_answer", "eoq", "eoq_all_units_discount",
    "eoq_with_backorders", "eoq_with_disruptions", "eoq_with_disruptions_cost", "eoq_with_yield",
    "epq", "finite_horizon", "joint_replenishment", "label_tree", "lead_time_demand_std",
    "load_textbook_instances", "newsvendor", "newsvendor_explicit", "newsvendor_with_disruptions",
    "newsvendor_with_yield", "policies_table", "propagate_demand", "recommend_policy",
    "rosling_reduction", "rq_cost", "rq_cost_poisson", "rq_policy", "run_textbook_check",
    "safety_stock", "serial_base_stock", "serial_expected_cost", "solve_textbook_instance",
    "ss_cost", "ss_policy", "textbook_answer", "textbook_instance_file", "textbook_names",
    "wagner_whitin",
]
