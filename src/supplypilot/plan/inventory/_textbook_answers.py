"""Known answers of the 70 stockpyl textbook instances (Snyder & Shen, *Fundamentals of Supply
Chain Theory*, 2nd ed., and the papers named in the instance descriptions).

The instance file (``optimization/inventory/stockpyl_instances.json``) holds the inputs only; the
answers below are the values asserted by stockpyl's own test-suite (repository
LarrySnyder/stockpyl, folder ``tests/``), cited per entry as ``file::test``. Where no stockpyl
test holds an optimum, the entry says where its value comes from.

Each answer is a list of checks ``(label, expected, tolerance)``; the first check is the headline
shown in benchmark tables. Tolerances follow the precision of the source: stockpyl's
``assertAlmostEqual`` default is 7 decimal places (we use a relative 1e-8 on values that are
large), ``places=k`` means an absolute ``5 * 10^-(k+1)``, and a value published with ``d``
decimals gets half a unit of its last digit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Check:
    """One expected number (or list/dict of numbers) and how close ours must be.

    ``mode="close"`` means ``|ours - expected| <= abs + rel * |expected|`` element-wise;
    ``mode="not_worse"`` (costs from a coarser reference computation) means ours is at most
    ``expected`` (plus ``rel``) and not below it by more than ``band`` (relative).
    """

    label: str
    expected: Any
    rel: float = 1e-8
    abs: float = 0.0
    mode: str = "close"
    band: float = 0.0


@dataclass(frozen=True)
class Answer:
    kind: str
    checks: tuple[Check, ...]
    source: str
    note: str = ""


T = "LarrySnyder/stockpyl tests/"
SQ2, SQ5, SQ6 = math.sqrt(2), math.sqrt(5), math.sqrt(6)
GRID_NOTE = ("stockpyl optimises on a 100-point grid with 10 demand points, which overstates the "
             "optimal cost by 0.2-3%; ours is exact on a fine lattice, so we must be no worse")


def _c(label: str, expected: Any, **kw: Any) -> Check:
    return Check(label, expected, **kw)


ANSWERS: dict[str, Answer] = {
    # --- chapter 3: deterministic lot sizing -------------------------------------------------
    "example_3_1": Answer("eoq", (_c("cost", 68.410525505948272),
                                  _c("order_quantity", 304.0467800264368)),
                          T + "test_eoq.py::TestEconomicOrderQuantity::test_example_3_1"),
    "problem_3_1": Answer("eoq", (_c("cost", 475230.2073732266),
                                  _c("order_quantity", 1728.109844993551)),
                          T + "test_eoq.py::TestEconomicOrderQuantity::test_problem_3_1"),
    "example_3_8": Answer("eoqb", (_c("cost", 66.921363550973254),
                                   _c("order_quantity", 310.8125551589646),
                                   _c("backorder_fraction", 0.043062200956938)),
                          T + "test_eoq.py::TestEconomicOrderQuantityWithBackorders::"
                              "test_example_3_8"),
    "problem_3_2b": Answer("eoqb", (_c("cost", 1999.148244415212),
                                    _c("order_quantity", 83.235448128898042),
                                    _c("backorder_fraction", 0.400299850074962)),
                           T + "test_eoq.py::TestEconomicOrderQuantityWithBackorders::"
                               "test_problem_3_2b"),
    "problem_3_22": Answer("epq", (_c("cost", 3.736794931975310),
                                   _c("order_quantity", 171.2697677155351)),
                           T + "test_eoq.py::TestEconomicProductionQuantity::test_problem_3_22"),
    "example_3_5": Answer("eoq_all_units", (_c("cost", 978.60), _c("order_quantity", 800),
                                            _c("region", 2, rel=0)),
                          T + "test_eoq.py::TestEconomicOrderQuantityWithAllUnitsDiscounts::"
                              "test_example_3_6"),
    "problem_3_12": Answer("eoq_all_units", (_c("cost", 201251093.75),
                                             _c("order_quantity", 2400), _c("region", 2, rel=0)),
                           T + "test_eoq.py::TestEconomicOrderQuantityWithAllUnitsDiscounts::"
                               "test_problem_3_12a"),
    "example_3_9": Answer("wagner_whitin", (_c("cost", 1380, rel=0, abs=1e-9),
                                            _c("order_quantities", [210, 0, 150, 0], rel=0)),
                          T + "test_wagner_whitin.py::TestWagnerWhitin::test_example_3_9"),
    "problem_3_27": Answer("wagner_whitin", (_c("cost", 424, rel=0, abs=1e-9),
                                             _c("order_quantities", [150, 180, 0, 200], rel=0)),
                           T + "test_wagner_whitin.py::TestWagnerWhitin::test_problem_3_27"),
    "problem_3_29": Answer("wagner_whitin", (_c("cost", 423, rel=0, abs=1e-9),
                                             _c("order_quantities", [1310, 0, 1095, 0, 880],
                                                rel=0)),
                           T + "test_wagner_whitin.py::TestWagnerWhitin::test_problem_3_29"),
    "scmo_ww_hw_c": Answer("wagner_whitin", (_c("cost", 4940, rel=0, abs=1e-9),
                                             _c("order_quantities", [400, 3000, 0, 0, 0], rel=0)),
                           T + "test_wagner_whitin.py::TestWagnerWhitin::test_purchase_cost"),
    "scmo_jrp_ex": Answer("jrp", (_c("cost", 837.8544026261366, rel=1e-10),
                                  _c("base_cycle_time", 3.103164454170876, rel=1e-10),
                                  _c("order_multiples", [1, 3, 1], rel=0)),
                          T + "test_eoq.py::TestJointReplenishmentProblemSilverHeuristic::"
                              "test_example_scmo"),
    "spp_jrp": Answer("jrp", (_c("cost", 2067.650840930354, rel=1e-10),
                              _c("base_cycle_time", 0.07617340262784976, rel=1e-10),
                              _c("order_multiples", [1, 1, 4, 3], rel=0)),
                      T + "test_eoq.py::TestJointReplenishmentProblemSilverHeuristic::test_spp"),
    "silver_jrp": Answer("jrp", (_c("cost", 218.68632025498687, rel=1e-10),
                                 _c("base_cycle_time", 0.2813771490671472, rel=1e-10),
                                 _c("order_multiples", [1, 1, 1, 3, 3], rel=0)),
                         T + "test_eoq.py::TestJointReplenishmentProblemSilverHeuristic::"
                             "test_silver"),
    "scmo_jrp_hw_1": Answer("jrp", (_c("cost", 1028646.3597045067, rel=1e-10),
                                    _c("base_cycle_time", 0.24433405218634363, rel=1e-10),
                                    _c("order_multiples", [1, 2, 1, 3], rel=0)),
                            T + "test_eoq.py::TestJointReplenishmentProblemSilverHeuristic::"
                                "test_hw_1_scmo"),
    "scmo_jrp_hw_2": Answer("jrp", (_c("cost", 566083.0327787611, rel=1e-10),
                                    _c("base_cycle_time", 0.017076411245211497, rel=1e-10),
                                    _c("order_multiples", [3, 1, 2], rel=0)),
                            T + "test_eoq.py::TestJointReplenishmentProblemSilverHeuristic::"
                                "test_hw_2_scmo"),
    "scmo_jrp_hw_3": Answer("jrp", (_c("cost", 9107.181781429423, rel=1e-10),
                                    _c("base_cycle_time", 0.11364657309360865, rel=1e-10),
                                    _c("order_multiples", [1, 2, 4, 1, 2], rel=0)),
                            T + "test_eoq.py::TestJointReplenishmentProblemSilverHeuristic::"
                                "test_hw_3_scmo"),
    # --- chapter 4: stochastic single-echelon ------------------------------------------------
    "example_4_1": Answer("newsvendor", (_c("cost", 1.997605193176645),
                                         _c("base_stock_level", 56.603955927433887)),
                          T + "test_newsvendor.py::TestNewsvendorContinuous::"
                              "test_example_4_1_with_distrib"),
    "example_4_3": Answer("newsvendor", (_c("cost", 1.997605193176645),
                                         _c("base_stock_level", 56.603955927433887)),
                          T + "test_newsvendor.py::TestNewsvendorNormal::test_example_4_3"),
    "example_4_1_network": Answer(
        "newsvendor_network", (_c("cost", 1.997605193176645),
                               _c("base_stock_level", 56.603955927433887)),
        T + "test_newsvendor.py::TestNewsvendorNormal::test_example_4_3 (same data)",
        "one node with shipment lead time 1 in stockpyl's simulator = a single-period newsvendor"),
    "problem_4_1": Answer("newsvendor", (_c("cost", 2718.196781782411),
                                         _c("base_stock_level", 922.7214038234755)),
                          T + "test_newsvendor.py::TestNewsvendorNormal::test_problem_4_1"),
    "example_4_2": Answer("newsvendor_explicit", (_c("profit", 33.002394806823354),
                                                  _c("base_stock_level", 56.603955927433887)),
                          T + "test_newsvendor.py::TestNewsvendorNormalExplicit::"
                              "test_example_4_2"),
    "problem_4_3b": Answer("newsvendor_explicit", (_c("profit", 210.4768082523147),
                                                   _c("base_stock_level", 59.084578685373856)),
                           T + "test_newsvendor.py::TestNewsvendorNormalExplicit::"
                               "test_problem_4_3b"),
    "example_4_4": Answer("base_stock", (_c("cost", 4.466781004149578),
                                         _c("base_stock_level", 264.7668943741548)),
                          T + "test_newsvendor.py::TestNewsvendorNormal::test_example_4_4"),
    "problem_4_8a": Answer("newsvendor_poisson", (_c("cost", 786.0884409351115),
                                                  _c("base_stock_level", 19, rel=0)),
                           T + "test_newsvendor.py::TestNewsvendorPoisson::test_problem_4_8a"),
    "problem_4_7b": Answer("newsvendor_pmf", (_c("cost", 1225000),
                                              _c("base_stock_level", 5, rel=0)),
                           T + "test_newsvendor.py::TestNewsvendorDiscrete::test_problem_4_7b"),
    "problem_4_8b": Answer("newsvendor_lognormal", (_c("cost", 29.442543582135290, rel=0,
                                                       abs=5e-6),
                                                    _c("base_stock_level", 295.6266448071368)),
                           T + "test_newsvendor.py::TestNewsvendorContinuous::test_problem_4_8b"),
    "example_4_7": Answer("ss_poisson", (_c("cost", 8.034111561471644), _c("s", 4, rel=0),
                                         _c("S", 10, rel=0)),
                          T + "test_ss.py::TestsSOptimalsS::test_example_4_7"),
    "problem_4_31": Answer("ss_poisson", (_c("cost", 223.5748295669688), _c("s", 2, rel=0),
                                          _c("S", 7, rel=0)),
                           T + "test_ss.py::TestsSOptimalsS::test_problem_4_31"),
    "example_4_8": Answer("ss_power", (_c("S", 74.290170109805786), _c("s", 40.194616956474071)),
                          T + "test_ss.py::TestsSPowerApproximation::test_example_4_8"),
    "problem_4_32": Answer("ss_power", (_c("S", 324.3797868133974), _c("s", 226.6137928222839)),
                           T + "test_ss.py::TestsSPowerApproximation::test_problem_4_32"),
    "problem_4_29": Answer(
        "finite_horizon", (_c("cost", 234.79622567591315, rel=1e-9),
                           _c("order_up_to_levels", [23] * 10, rel=0),
                           _c("reorder_points", [23] * 10, rel=0)),
        T + "test_finite_horizon.py::test_problem_4_29 compares with a MATLAB file "
            "(problem_4_29.mat) that is not in the data",
        "value computed by our DP with stockpyl's discretisation (integer states, demand within "
        "4 sd); that DP reproduces stockpyl's documented finite_horizon_dp example "
        "(cost 1558.6946467384012, s=110, S=133/126) to 12 digits"),
    "problem_4_30": Answer(
        "finite_horizon", (_c("cost", 519.3557887889583, rel=1e-9),
                           _c("order_up_to_levels", [42] * 8 + [41, 23], rel=0),
                           _c("reorder_points", [17] * 9 + [18], rel=0)),
        T + "test_finite_horizon.py::test_problem_4_30 compares with a MATLAB file "
            "(problem_4_30.mat) that is not in the data",
        "as problem_4_29"),
    # --- chapter 5: (r, Q) --------------------------------------------------------------------
    "example_5_1": Answer(
        "rq_normal", (_c("eil_cost", 95.451140222851961, rel=1e-6),
                      _c("eil_reorder_point", 213.9704421358024, rel=1e-6),
                      _c("eil_order_quantity", 318.5901810768729, rel=1e-6),
                      _c("eoqb_reorder_point", 128.6378144242710, rel=1e-6),
                      _c("eoqb_order_quantity", 308.5737801203754),
                      _c("eoqss_reorder_point", 190.3369965715624),
                      _c("eoqss_order_quantity", 304.0467800264368),
                      _c("loss_function_reorder_point", 126.8670642878315, rel=0, abs=5e-6),
                      _c("loss_function_order_quantity", 328.4491413581765, rel=0, abs=5e-6),
                      _c("exact_cost_at_126.8_328.5", 78.071162509282942)),
        T + "test_rq.py (TestrQEILApproximation, TestrQEOQBApproximation, "
            "TestrQEOQSSApproximation, TestrQLossFunctionApproximation, TestrQCost)::"
            "example_5_1"),
    "problem_5_1": Answer(
        "rq_normal", (_c("eil_cost", 531.1189321826714, rel=1e-6),
                      _c("eil_reorder_point", 17.972649360167715, rel=1e-6),
                      _c("eil_order_quantity", 162.1231617283653, rel=1e-6),
                      _c("eoqb_reorder_point", -1.929822185100239, rel=1e-6),
                      _c("eoqb_order_quantity", 166.0850065197970),
                      _c("eoqss_reorder_point", 15.125515371852014),
                      _c("eoqss_order_quantity", 160.6438657804998),
                      _c("loss_function_reorder_point", -1.985868645048718, rel=0, abs=5e-6),
                      _c("loss_function_order_quantity", 166.9501022040942, rel=0, abs=5e-6),
                      _c("exact_cost_at_-1.9859_166.95", 484.2110418415538)),
        T + "test_rq.py::problem_5_1 (same classes)"),
    "problem_5_3": Answer(
        "rq_normal", (_c("eil_cost", 100.6273949347740, rel=1e-6),
                      _c("eil_reorder_point", 644.8385303830128, rel=1e-6),
                      _c("eil_order_quantity", 400.7559793125993, rel=1e-6),
                      _c("eoqb_reorder_point", 609.0252058220594, rel=1e-6),
                      _c("eoqb_order_quantity", 391.3259510944808),
                      _c("eoqss_reorder_point", 652.9638947041127),
                      _c("eoqss_order_quantity", 390.2819493648150),
                      _c("loss_function_reorder_point", 608.5445118000358, rel=0, abs=5e-5),
                      _c("loss_function_order_quantity", 403.8060023373138, rel=0, abs=5e-5)),
        T + "test_rq.py::problem_5_3 (same classes)"),
    "example_5_8": Answer("rq_poisson", (_c("cost", 107.9235806331498),
                                         _c("reorder_point", 3, rel=0),
                                         _c("order_quantity", 5, rel=0)),
                          T + "test_rq.py::TestrQPoissonExact::test_example_5_8"),
    "problem_5_2": Answer("rq_poisson", (_c("cost", 28.241312842169155),
                                         _c("reorder_point", 6, rel=0),
                                         _c("order_quantity", 7, rel=0)),
                          T + "test_rq.py::TestrQPoissonExact::test_problem_5_2"),
    # --- chapter 6: multi-echelon --------------------------------------------------------------
    "example_6_1": Answer("ssm_serial", (_c("cost", 47.77466134840843, mode="not_worse",
                                            rel=1e-9, band=0.035),),
                          T + "test_ssm_serial.py::TestOptimizeBaseStockLevels::test_example_6_1",
                          GRID_NOTE),
    "problem_6_1": Answer("ssm_serial", (_c("cost", 170.28476581233167, mode="not_worse",
                                            rel=1e-9, band=0.035),),
                          T + "test_ssm_serial.py::TestOptimizeBaseStockLevels::test_problem_6_1",
                          GRID_NOTE),
    "problem_6_2a": Answer("ssm_serial", (_c("cost", 457.58007479275113, mode="not_worse",
                                             rel=1e-9, band=0.035),),
                           T + "test_ssm_serial.py::TestOptimizeBaseStockLevels::"
                               "test_problem_6_2a", GRID_NOTE),
    "problem_6_16": Answer("ssm_serial", (_c("cost", 451.6549665069653, mode="not_worse",
                                             rel=1e-9, band=0.035),),
                           T + "test_ssm_serial.py::TestOptimizeBaseStockLevels::"
                               "test_problem_6_16", GRID_NOTE),
    "problem_6_2b": Answer("ssm_serial", (_c("cost", 453.6855978910213, rel=1e-4),
                                          _c("echelon_base_stock", [41, 74, 109, 142, 174],
                                             rel=0)),
                           T + "test_ssm_serial.py::TestOptimizeBaseStockLevels::"
                               "test_problem_6_2b",
                           "Poisson demand: ours is exact; stockpyl's value differs by 1.3e-5 "
                           "(its truncation of the lead-time demand)"),
    "problem_6_2a_adj": Answer(
        "ssm_serial", (), "no optimum: stockpyl only simulates this instance "
                          "(test_sim.py::test_problem_6_2a, 100 periods, seed 1340)",
        "not solvable as stored: only local holding costs are given, and they fall from the "
        "customer stage (0.5) to the source (3.5), so echelon holding costs are negative and the "
        "Clark-Scarf decomposition does not apply (stockpyl's optimiser also refuses it: "
        "echelon_holding_cost is null)"),
    "problem_6_2b_adj": Answer(
        "ssm_serial", (), "no optimum: stockpyl only simulates this instance",
        "as problem_6_2a_adj"),
    "shang_song_1": Answer("ssm_serial", (_c("cost", 12.688, rel=0, abs=5e-4),
                                          _c("echelon_base_stock", [8, 13, 18, 22], rel=0)),
                           T + "test_ssm_serial.py::TestOptimizeBaseStockLevels::"
                               "test_shang_song_instances (Shang & Song 2003, Table 1, "
                               "3 decimals)"),
    "shang_song_9": Answer("ssm_serial", (_c("cost", 53.008, rel=0, abs=5e-4),
                                          _c("echelon_base_stock", [9, 10, 13, 19], rel=0)),
                           T + "test_ssm_serial.py::test_shang_song_instances"),
    "shang_song_17": Answer("ssm_serial", (_c("cost", 16.206, rel=0, abs=5e-4),
                                           _c("echelon_base_stock", [11, 17, 22, 27], rel=0)),
                            T + "test_ssm_serial.py::test_shang_song_instances"),
    "shang_song_25": Answer("ssm_serial", (_c("cost", 74.564, rel=0, abs=5e-4),
                                           _c("echelon_base_stock", [11, 14, 18, 26], rel=0)),
                            T + "test_ssm_serial.py::test_shang_song_instances"),
    "assembly_3_stage": Answer(
        "assembly", (_c("forward_echelon_lead_time", {0: 1, 1: 3, 2: 3}, rel=0),
                     _c("equivalent_lead_time", {0: 1, 1: 2, 2: 0}, rel=0)),
        "hand-derived from the definition (Rosling 1989): stockpyl has no optimum for this "
        "instance, only a 100-period simulation (test_sim.py, seed 17)",
        "structural check of the assembly-to-serial reduction; not an optimal cost"),
    "rosling_figure_1": Answer(
        "assembly", (_c("forward_echelon_lead_time", {1: 1, 2: 2, 3: 4, 4: 6, 5: 6, 6: 7, 7: 8},
                        rel=0),
                     _c("equivalent_lead_time", {1: 1, 2: 1, 3: 2, 4: 2, 5: 0, 6: 1, 7: 1},
                        rel=0)),
        T + "test_supply_chain_node.py::TestForwardEchelonLeadTime, TestEquivalentLeadTime"),
    "rong_atan_snyder_figure_1a": Answer(
        "distribution", (_c("derived_demand_mean", {0: 32, 1: 16, 2: 16, 3: 8, 4: 8, 5: 8, 6: 8}),
                         _c("derived_demand_std", {0: math.sqrt(32), 1: 4.0, 2: 4.0,
                                                   3: math.sqrt(8), 4: math.sqrt(8),
                                                   5: math.sqrt(8), 6: math.sqrt(8)})),
        T + "test_supply_chain_node.py::TestDerivedDemandMean/StandardDeviation"),
    "rong_atan_snyder_figure_1b": Answer(
        "distribution", (_c("derived_demand_mean", {0: 64, 1: 40, 2: 24} | {i: 8 for i in
                                                                            range(3, 11)}),
                         _c("derived_demand_std", {0: 8.0, 1: math.sqrt(40), 2: math.sqrt(24)}
                            | {i: math.sqrt(8) for i in range(3, 11)})),
        T + "test_supply_chain_node.py::TestDerivedDemandMean/StandardDeviation"),
    "rong_atan_snyder_figure_1c": Answer(
        "distribution", (_c("derived_demand_mean", {0: 32, 1: 8, 2: 24, 3: 8, 4: 8, 5: 8}),
                         _c("derived_demand_std", {0: math.sqrt(32), 1: math.sqrt(8),
                                                   2: math.sqrt(24), 3: math.sqrt(8),
                                                   4: math.sqrt(8), 5: math.sqrt(8)})),
        T + "test_supply_chain_node.py::TestDerivedDemandMean/StandardDeviation"),
    "example_6_3": Answer("gsm", (_c("cost", 2 * SQ2), _c("service_times", {1: 1, 2: 0, 3: 0},
                                                          rel=0)),
                          T + "test_gsm_serial.py::test_example_6_3"),
    "problem_6_7": Answer("gsm", (_c("cost", 160 * SQ5), _c("service_times", {1: 0, 2: 3, 3: 2},
                                                            rel=0)),
                          T + "test_gsm_serial.py::test_problem_6_7"),
    "problem_6_8": Answer("gsm", (_c("cost", 1378.31, rel=0, abs=0.05),
                                  _c("service_times", {1: 3, 2: 10, 3: 0, 4: 28, 5: 13, 6: 5,
                                                       7: 0, 8: 18, 9: 13, 10: 12}, rel=0)),
                          T + "test_gsm_serial.py::test_problem_6_8 (places=1)"),
    "example_6_5": Answer("gsm", (_c("cost", 2 * SQ2 + SQ6 + 3.0),
                                  _c("service_times", {1: 0, 2: 0, 3: 0, 4: 1}, rel=0)),
                          T + "test_gsm_tree.py::TestOptimizeCommittedServiceTimes::"
                              "test_example_6_5"),
    "problem_6_9": Answer("gsm", (_c("cost", 15.649530249501),
                                  _c("service_times", {1: 3, 2: 3, 3: 0, 4: 0, 5: 0, 6: 2},
                                     rel=0)),
                          T + "test_gsm_tree.py::TestOptimizeCommittedServiceTimes::"
                              "test_problem_6_9"),
    "figure_6_14": Answer("gsm", (_c("cost", 18.8240044725922),
                                  _c("service_times", {1: 0, 2: 3, 3: 5, 4: 4, 5: 7, 6: 0, 7: 0,
                                                       8: 0, 9: 0, 10: 2}, rel=0)),
                          T + "test_gsm_tree.py::TestOptimizeCommittedServiceTimes::"
                              "test_figure_6_14"),
    "figure_6_12": Answer("tree_labelling", (_c("labels", {1: 2, 2: 1, 3: 3, 4: 4, 5: 6, 6: 5,
                                                           7: 7}, rel=0),),
                          T + "test_gsm_tree.py::TestRelabelNodes::test_figure_6_12",
                          "a topology without costs: the check is the Graves-Willems labelling"),
    # --- chapter 9: supply uncertainty ------------------------------------------------------------
    "example_9_1": Answer("eoqd", (_c("cost", 173.9500025731971, rel=0, abs=5e-5),
                                   _c("order_quantity", 772.8110631910017, rel=0, abs=5e-5)),
                          T + "test_supply_uncertainty.py::TestEOQWithDisruptions::"
                              "test_example_9_1_exact"),
    "problem_9_8": Answer("eoqd", (_c("cost", 96.266590901158000, rel=0, abs=5e-5),
                                   _c("order_quantity", 24.066284024222202, rel=0, abs=5e-5)),
                          T + "test_supply_uncertainty.py::TestEOQWithDisruptions::"
                              "test_problem_9_8_exact"),
    "example_9_3": Answer("nv_disruptions", (_c("cost", 2737.068965490435, rel=0, abs=5e-5),
                                             _c("base_stock_level", 8000, rel=0)),
                          T + "test_supply_uncertainty.py::TestNewsvendorWithDisruptions::"
                              "test_example_9_3"),
    "example_9_4": Answer("eoq_yield_additive", (_c("cost", 12914.78222812913),
                                                 _c("order_quantity", 230246.3704688188)),
                          T + "test_supply_uncertainty.py::"
                              "TestEOQWithAdditiveYieldUncertainty::test_example_9_4"),
    "problem_9_4a": Answer("eoq_yield_additive", (_c("cost", 475230.2074050533),
                                                  _c("order_quantity", 1778.109845109285)),
                           T + "test_supply_uncertainty.py::"
                               "TestEOQWithAdditiveYieldUncertainty::test_problem_9_4a"),
    "example_9_5": Answer("eoq_yield_multiplicative", (_c("cost", 13086.52523999946),
                                                       _c("order_quantity", 254460.2129999894)),
                          T + "test_supply_uncertainty.py::"
                              "TestEOQWithMultiplicativeYieldUncertainty::test_example_9_5"),
    "problem_9_4b": Answer("eoq_yield_multiplicative", (_c("cost", 476207.0433625989),
                                                        _c("order_quantity", 1916.183333947864)),
                           T + "test_supply_uncertainty.py::"
                               "TestEOQWithMultiplicativeYieldUncertainty::test_problem_9_4b"),
    "example_9_6": Answer("nv_yield", (_c("cost", 6250000, rel=0, abs=5e-5),
                                       _c("order_quantity", 2 - 1.0 / 6)),
                          T + "test_supply_uncertainty.py::"
                              "TestNewsvendorWithAdditiveYieldUncertainty::test_example_9_6"),
    "problem_9_5": Answer("nv_yield", (_c("cost", 333.34, rel=0, abs=0.05),
                                       _c("order_quantity", 29.45, rel=0, abs=0.05)),
                          T + "test_supply_uncertainty.py::"
                              "TestNewsvendorWithAdditiveYieldUncertainty::test_problem_9_5 "
                              "(places=1)"),
}
