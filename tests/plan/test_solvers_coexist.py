"""HiGHS (highspy) and OR-Tools (CP-SAT) load and solve side by side in one process.

highspy 1.15 and ortools 9.15 cannot live in one process; highspy is pinned to 1.14.0, which
works beside ortools in either import order. Each order runs in a fresh interpreter because
the clash happens at import time and a test process has usually imported one of them already.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SCRIPT = """
import json, sys
order = sys.argv[1].split(",")
for name in order:
    __import__({"ortools": "ortools.sat.python.cp_model", "highspy": "highspy"}[name])
import highspy
import numpy as np
from ortools.sat.python import cp_model

h = highspy.Highs()
h.setOptionValue("output_flag", False)
# max x + y  s.t. x + 2y <= 4, 3x + y <= 6  ->  x = 1.6, y = 1.2, objective 2.8
h.addVars(2, np.array([0.0, 0.0]), np.array([highspy.kHighsInf] * 2))
h.changeColsCost(2, np.array([0, 1], dtype=np.int32), np.array([-1.0, -1.0]))
h.addRow(-highspy.kHighsInf, 4.0, 2, np.array([0, 1], dtype=np.int32), np.array([1.0, 2.0]))
h.addRow(-highspy.kHighsInf, 6.0, 2, np.array([0, 1], dtype=np.int32), np.array([3.0, 1.0]))
h.run()
lp = -h.getInfo().objective_function_value

m = cp_model.CpModel()
x, y = m.new_int_var(0, 10, "x"), m.new_int_var(0, 10, "y")
m.add(x + 2 * y <= 4)
m.add(3 * x + y <= 6)
m.maximize(x + y)
solver = cp_model.CpSolver()
solver.parameters.num_workers = 1
status = solver.solve(m)
print(json.dumps({"lp": lp, "cp": solver.objective_value, "cp_status": solver.status_name(status),
                  "highs": h.version() if hasattr(h, "version") else None}))
"""


def _run(order: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", SCRIPT, order], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("order", ["ortools,highspy", "highspy,ortools"])
def test_highspy_and_cpsat_solve_in_one_process(order: str) -> None:
    """Both solvers give their known optimum whichever is imported first."""
    out = _run(order)
    assert out["lp"] == pytest.approx(2.8)
    assert out["cp_status"] == "OPTIMAL"
    assert out["cp"] == 2.0  # integer optimum: (x, y) = (2, 0), (1, 1) or (0, 2)


def test_pinned_highspy_is_the_version_known_to_coexist() -> None:
    """The pin to highspy 1.14.0 holds; 1.15 crashes when ortools 9.15 is loaded too."""
    from importlib.metadata import version

    assert version("highspy") == "1.14.0"
