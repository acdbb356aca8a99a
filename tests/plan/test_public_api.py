"""The planning package's public names resolve, and its example runs."""

from __future__ import annotations

import doctest

import supplypilot.plan as plan


def test_every_exported_name_resolves():
    """Each name in supplypilot.plan.__all__ loads from its engine module."""
    for name in plan.__all__:
        assert getattr(plan, name) is not None, name


def test_package_example_runs():
    """The docstring example (a one-operation schedule) gives makespan 5."""
    result = doctest.testmod(plan, verbose=False)
    assert result.attempted > 0 and result.failed == 0
