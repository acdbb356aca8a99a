"""Supply network design and flow planning: a small builder over one HiGHS linear programme.

:class:`NetworkModel` is built like PyVRP's ``Model``: ``add_supplier``, ``add_plant``,
``add_dc``, ``add_customer`` and ``add_lane`` each return the created object, then
``solve(stop=...)`` builds the programme and returns a :class:`NetworkResult`.

The programme, per product ``p``:

* flow ``x[lane, p] >= 0`` on every lane that can carry ``p`` (products that can never reach a
  lane's origin, or are never needed past its destination, get no variable);
* production ``make[plant, p]`` where a plant has a recipe (``p`` made from its inputs);
* conservation at plants and DCs: ``inflow + made = outflow + consumed by recipes``;
* demand: ``inflow + short = demand`` at each customer, ``short`` only with ``allow_shortage``;
* capacities: supplier (total and per product), plant (production, or throughput without a
  recipe), DC throughput and lane capacity, each an explicit row so that its dual value (what
  one more unit of capacity would save) and its part in an infeasibility can be reported;
* opening decisions: a plant or DC added with ``open=None`` gets a binary, its fixed cost and
  ``throughput <= capacity * open`` (the model becomes a MILP).

Lead times are *priced*, not constrained: each unit passing a supplier or a lane carries
``holding_cost_per_day x lead-time days`` of inventory cost (stock in transit or held to cover
the wait). That keeps the model linear and makes a longer supplier lead time move volume to
faster sources when it pays. Delivery promises are the one lead-time *rule*: a customer's
``max_delivery_days`` forbids the lanes into it that take longer.

When hard demand cannot be met, HiGHS computes an irreducible infeasible subset of rows
(``Highs.getIis``), which the result states in domain words ("demand at cafe3 ... exceeds the
capacity of lane roastery1→cafe3 ... after closing roastery2").
"""

from __future__ import annotations

from supplypilot.plan.network._lp import CAPACITY_KINDS as CAPACITY_KINDS
from supplypilot.plan.network._lp import COST_PARTS as COST_PARTS
from supplypilot.plan.network._solve import IIS_IRREDUCIBLE_MAX_ROWS as IIS_IRREDUCIBLE_MAX_ROWS
from supplypilot.plan.network.model import KIND_WORDS as KIND_WORDS
from supplypilot.plan.network.model import TOL as TOL
from supplypilot.plan.network.model import Amount as Amount
from supplypilot.plan.network.model import Lane as Lane
from supplypilot.plan.network.model import NetworkModel as NetworkModel
from supplypilot.plan.network.model import Node as Node
from supplypilot.plan.network.model import NodeKind as NodeKind
from supplypilot.plan.network.model import unknown as unknown
from supplypilot.plan.network.result import FLOW_COLUMNS as FLOW_COLUMNS
from supplypilot.plan.network.result import NetworkResult as NetworkResult
from supplypilot.plan.network.store import network_from_store as network_from_store

__all__ = ["Lane", "NetworkModel", "NetworkResult", "Node", "NodeKind", "network_from_store"]
