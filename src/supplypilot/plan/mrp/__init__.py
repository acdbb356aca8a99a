"""Material requirements planning: BOM explosion, netting, lot sizing, capacity and pegging.

Build an :class:`MrpModel`, call :meth:`MrpModel.solve`, read the :class:`MrpResult`.
"""

from supplypilot.plan.mrp._data import BomLine as BomLine
from supplypilot.plan.mrp._data import Demand as Demand
from supplypilot.plan.mrp._data import Item as Item
from supplypilot.plan.mrp._data import Resource as Resource
from supplypilot.plan.mrp._data import ScheduledReceipt as ScheduledReceipt
from supplypilot.plan.mrp._data import Usage as Usage
from supplypilot.plan.mrp._model import MrpData as MrpData
from supplypilot.plan.mrp._model import MrpModel as MrpModel
from supplypilot.plan.mrp._result import MrpResult as MrpResult
from supplypilot.plan.mrp._solve import capacity_conflicts as capacity_conflicts
from supplypilot.plan.mrp._solve import solve_mrp as solve_mrp

__all__ = ["BomLine", "Demand", "Item", "MrpData", "MrpModel", "MrpResult", "Resource",
           "ScheduledReceipt", "Usage", "capacity_conflicts", "solve_mrp"]
