"""SupplyPilot: plan a supply chain and talk about it.

The few entry objects live here; each capability has its own folder (``data``, ``forecast``,
``plan``, ``monitor``, ``nlp``, ``api``) with one obvious entry.
"""

from supplypilot.data.seed import load_supply_chain_data as load_supply_chain_data
from supplypilot.data.seed import preprocess_data as preprocess_data
from supplypilot.data.store import Store as Store
from supplypilot.tools import REGISTRY as REGISTRY

__version__ = "0.1.0"
__all__ = ["REGISTRY", "Store", "load_supply_chain_data", "preprocess_data", "__version__"]
