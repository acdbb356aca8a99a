"""Settings read once from the environment (``SUPPLYPILOT_*``)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_HOME = ".supplypilot"


def home() -> Path:
    """Folder of the embedded store and its Parquet side files (``SUPPLYPILOT_HOME``)."""
    return Path(os.environ.get("SUPPLYPILOT_HOME", DEFAULT_HOME))


def database_url() -> str:
    """The store URL: ``SUPPLYPILOT_DB_URL`` or an SQLite file in :func:`home`."""
    url = os.environ.get("SUPPLYPILOT_DB_URL")
    if url:
        return url
    return f"sqlite:///{home() / 'supplypilot.db'}"


def data_dir() -> Path:
    """Shared benchmark data (``SUPPLYPILOT_DATA``, default ``../shared/data``)."""
    return Path(os.environ.get("SUPPLYPILOT_DATA", "../shared/data"))


def out_dir() -> Path:
    """Where plots and reports go (``SUPPLYPILOT_OUT``, default ``out``)."""
    return Path(os.environ.get("SUPPLYPILOT_OUT", "out"))
