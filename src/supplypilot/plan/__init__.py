"""Planning: inventory policies, MRP and supplier choice, scheduling, routing, network what-if.

Each engine is a small builder with ``solve(stop=...)`` returning a readable
:class:`PlanResult`; :func:`run_planning_cycle` chains them on the stored data. Names are
re-exported lazily (PEP 562), so importing :mod:`supplypilot.plan` does not load OR-Tools,
PyVRP and HiGHS until an engine is used.

Examples
--------
>>> from supplypilot.plan import MaxRuntime, ScheduleModel
>>> m = ScheduleModel()
>>> _ = m.add_machine("M1")
>>> _ = m.add_job("J1")
>>> _ = m.add_operation("J1", 5, machines="M1")
>>> m.solve(stop=MaxRuntime(5)).makespan
5
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "PlanResult": "result", "SolveStatus": "result",
    "MaxRuntime": "stop", "MaxIterations": "stop", "NoImprovement": "stop", "MultipleCriteria": "stop",
    "InventoryPolicy": "inventory", "recommend_policy": "inventory", "policies_table": "inventory",
    "safety_stock": "inventory", "GuaranteedServiceModel": "inventory",
    "MrpModel": "mrp", "MrpResult": "mrp",
    "SourcingModel": "sourcing", "SourcingResult": "sourcing",
    "ScheduleModel": "schedule", "ScheduleResult": "schedule",
    "RoutingModel": "routing", "RoutingResult": "routing",
    "NetworkModel": "network", "NetworkResult": "network",
    "Scenario": "scenario", "ScenarioStore": "scenario", "apply": "scenario", "compare": "scenario",
    "run_planning_cycle": "cycle", "PlanCycleResult": "cycle",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'supplypilot.plan' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"supplypilot.plan.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
