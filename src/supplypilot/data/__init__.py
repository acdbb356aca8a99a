"""Data integration: model, store, safe import, validation, cleaning, fusion, lineage."""

from supplypilot.data.ingest import ImportReport as ImportReport
from supplypilot.data.ingest import import_frames as import_frames
from supplypilot.data.ingest import import_paths as import_paths
from supplypilot.data.ingest import import_query as import_query
from supplypilot.data.store import Store as Store

__all__ = ["ImportReport", "Store", "import_frames", "import_paths", "import_query"]
