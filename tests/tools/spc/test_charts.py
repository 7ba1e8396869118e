"""SPC against published values (R's qcc, Montgomery), and every run rule at its edge."""

from __future__ import annotations

import numpy as np
import pytest

from tools.spc.capability import capability
from tools.spc.charts import (
    SpcInputError,
    c_chart,
    cusum,
    ewma,
    imr,
    moving_range,
    np_chart,
    p_chart,
    reestimate,
    run_rules,
    u_chart,
    xbar_r,
    xbar_s,
)
from tools.spc.constants import constants

# Montgomery, Introduction to SQC, appendix VI (the published table, 3-4 decimals)
TABLE = {
    2: {"d2": 1.128, "d3": 0.853, "c4": 0.7979, "a2": 1.880, "d4": 3.267, "a3": 2.659, "b4": 3.267},
    5: {"d2": 2.326, "d3": 0.864, "c4": 0.9400, "a2": 0.577, "d4": 2.114, "a3": 1.427, "b4": 2.089},
    10: {"d2": 3.078, "d3": 0.797, "c4": 0.9727, "a2": 0.308, "d3_lower": 0.223, "d4": 1.777,
         "a3": 0.975, "b3": 0.284, "b4": 1.716},
    25: {"d2": 3.931, "d3": 0.708, "c4": 0.9896, "a2": 0.153, "d3_lower": 0.459, "d4": 1.541,
         "a3": 0.606, "b3": 0.565, "b4": 1.435},
}  # fmt: skip


@pytest.mark.parametrize("n", sorted(TABLE))
def test_constants_match_the_published_table(n: int) -> None:
    c = constants(n)
    for name, published in TABLE[n].items():
        assert getattr(c, name) == pytest.approx(published, abs=0.0015), name


def test_constants_have_their_closed_forms_for_n_2() -> None:
    c = constants(2)
    assert c.d2 == pytest.approx(2 / np.sqrt(np.pi), abs=1e-6)  # E|X1 - X2|
    assert c.d3 == pytest.approx(np.sqrt(2 - 4 / np.pi), abs=1e-4)
    assert c.c4 == pytest.approx(np.sqrt(2 / np.pi), abs=1e-12)
    with pytest.raises(ValueError, match=r"outside 2\.\.25"):
        constants(26)


# qcc's documented examples (help(qcc), type "xbar.one"); qcc uses d2(2) = 1.128 from its
# table, these constants use 1.12838, so values agree to 1e-3 relative.
VISCOSITY = [33.75, 33.05, 34, 33.81, 33.46, 34.02, 33.68, 33.27, 33.49, 33.20, 33.62, 33.00,
             33.54, 33.12, 33.84]  # fmt: skip
ANTIFREEZE = [2.23, 2.53, 2.62, 2.63, 2.58, 2.44, 2.49, 2.34, 2.95, 2.54, 2.60, 2.45, 2.17, 2.58,
              2.57, 2.44, 2.38, 2.23, 2.23, 2.54, 2.66, 2.84, 2.81, 2.39, 2.56, 2.70, 3.00, 2.81,
              2.77, 2.89, 2.54, 2.98, 2.35, 2.53]  # fmt: skip


@pytest.mark.parametrize(
    ("values", "center", "sigma", "lcl", "ucl"),
    [
        (VISCOSITY, 33.52333, 0.4261651, 32.24484, 34.80183),  # Montgomery p. 242
        (ANTIFREEZE, 2.569706, 0.1794541, 2.031344, 3.108068),  # Wetherill & Brown p. 120
    ],
)
def test_individuals_chart_matches_qcc(
    values: list[float], center: float, sigma: float, lcl: float, ucl: float
) -> None:
    chart = imr(values)
    assert chart.center == pytest.approx(center, rel=1e-6)
    assert chart.sigma == pytest.approx(sigma, rel=1e-3)
    assert chart.points[0].lcl == pytest.approx(lcl, rel=1e-4)
    assert chart.points[0].ucl == pytest.approx(ucl, rel=1e-4)
    assert not any("nelson-1" in p.violations for p in chart.points)


# Montgomery, Introduction to SQC, example 6.3: piston-ring diameters, 25 subgroups of 5.
PISTON = [
    [74.030, 74.002, 74.019, 73.992, 74.008], [73.995, 73.992, 74.001, 74.011, 74.004],
    [73.988, 74.024, 74.021, 74.005, 74.002], [74.002, 73.996, 73.993, 74.015, 74.009],
    [73.992, 74.007, 74.015, 73.989, 74.014], [74.009, 73.994, 73.997, 73.985, 73.993],
    [73.995, 74.006, 73.994, 74.000, 74.005], [73.985, 74.003, 73.993, 74.015, 73.988],
    [74.008, 73.995, 74.009, 74.005, 74.004], [73.998, 74.000, 73.990, 74.007, 73.995],
    [73.994, 73.998, 73.994, 73.995, 73.990], [74.004, 74.000, 74.007, 74.000, 73.996],
    [73.983, 74.002, 73.998, 73.997, 74.012], [74.006, 73.967, 73.994, 74.000, 73.984],
    [74.012, 74.014, 73.998, 73.999, 74.007], [74.000, 73.984, 74.005, 73.998, 73.996],
    [73.994, 74.012, 73.986, 74.005, 74.007], [74.006, 74.010, 74.018, 74.003, 74.000],
    [73.984, 74.002, 74.003, 74.005, 73.997], [74.000, 74.010, 74.013, 74.020, 74.003],
    [73.982, 74.001, 74.015, 74.005, 73.996], [74.004, 73.999, 73.990, 74.006, 74.009],
    [74.010, 73.989, 73.990, 74.009, 74.014], [74.015, 74.008, 73.993, 74.000, 74.010],
    [73.982, 73.984, 73.995, 74.017, 74.013],
]  # fmt: skip


def test_xbar_s_matches_montgomery_example_6_3() -> None:
    xbar, s = xbar_s(PISTON)
    assert xbar.center == pytest.approx(74.001, abs=0.0005)
    assert np.mean([p.value for p in s.points]) == pytest.approx(0.0094, abs=0.00005)
    # published limits: X-bar 73.9876 .. 74.0144 (A3 = 1.427), S 0 .. 0.0196 (B4 = 2.089)
    assert xbar.points[0].lcl == pytest.approx(73.9876, abs=0.0003)
    assert xbar.points[0].ucl == pytest.approx(74.0144, abs=0.0003)
    assert s.points[0].lcl == 0.0 and s.points[0].ucl == pytest.approx(0.0196, abs=0.0003)
    assert not xbar.out_of_control and not s.out_of_control


def test_xbar_r_limits_are_the_a2_d3_d4_formulas() -> None:
    xbar, r = xbar_r(PISTON)
    r_bar = np.mean([np.ptp(g) for g in PISTON])
    c = constants(5)
    assert xbar.points[0].ucl == pytest.approx(np.mean(PISTON) + c.a2 * r_bar, rel=1e-12)
    assert r.points[0].ucl == pytest.approx(c.d4 * r_bar, rel=1e-12)
    assert r.points[0].lcl == 0.0 and r.center == pytest.approx(r_bar)


def test_variable_subgroup_sizes_give_per_point_limits() -> None:
    groups = [row[: 3 + i % 3] for i, row in enumerate(PISTON)]
    xbar, _ = xbar_s(groups)
    widths = {round(p.ucl - p.lcl, 9) for p in xbar.points if p.ucl and p.lcl}
    assert len(widths) == 3  # one width per subgroup size
    with pytest.raises(SpcInputError, match=r"different sizes.*X-bar-S"):
        xbar_r(groups)


def test_attribute_charts() -> None:
    p = p_chart([12, 15, 8, 10, 4, 7, 16, 9, 14, 10], [50] * 10)
    assert p.center == pytest.approx(105 / 500)
    assert p.points[0].ucl == pytest.approx(0.21 + 3 * np.sqrt(0.21 * 0.79 / 50))
    npc = np_chart([12, 15, 8, 10, 4, 7, 16, 9, 14, 10], 50)
    assert npc.center == pytest.approx(10.5) and npc.sigma == pytest.approx(
        np.sqrt(50 * 0.21 * 0.79)
    )
    c = c_chart([21, 24, 16, 12, 15, 5, 28, 20, 31, 25])
    assert c.center == pytest.approx(19.7) and c.points[0].ucl == pytest.approx(
        19.7 + 3 * np.sqrt(19.7)
    )
    u = u_chart([10, 12, 8], [2.0, 3.0, 2.0])
    assert u.center == pytest.approx(30 / 7)
    assert u.points[1].ucl == pytest.approx(30 / 7 + 3 * np.sqrt(30 / 7 / 3))
    assert moving_range(VISCOSITY).points[0].index == 2


# ---------------------------------------------------------------- run rules at their edges
def fires(z: list[float], rule: str, rules: str = "nelson") -> bool:
    return rule in run_rules(np.array(z, dtype=float), rules)[-1]


@pytest.mark.parametrize(
    ("rule", "just_fires", "just_does_not"),
    [
        ("nelson-1", [0, 0, 3.01], [0, 0, 2.99]),
        ("nelson-2", [0.1] * 9, [-0.1] + [0.1] * 8),
        ("nelson-3", [0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 4]),
        ("nelson-4", [(-1) ** i * 0.5 for i in range(14)],
         [(-1) ** i * 0.5 for i in range(13)] + [0.6]),
        ("nelson-5", [2.1, 0, 2.1], [2.1, 0, 1.9]),
        ("nelson-6", [1.1, 1.1, 0, 1.1, 1.1], [1.1, 0, 0, 1.1, 1.1]),
        ("nelson-7", [0.5, -0.5] * 7 + [0.9], [0.5, -0.5] * 7 + [1.1]),
        ("nelson-8", [1.5, -1.5] * 4, [1.5, -1.5] * 3 + [1.5, -0.9]),
    ],
)  # fmt: skip
def test_nelson_rules(rule: str, just_fires: list[float], just_does_not: list[float]) -> None:
    assert fires(just_fires, rule)
    assert not fires(just_does_not, rule)


@pytest.mark.parametrize(
    ("rule", "just_fires", "just_does_not"),
    [
        ("we-1", [0, 3.01], [0, 3.0]),
        ("we-2", [-2.1, 0, -2.1], [-2.1, 0, 2.1]),
        ("we-3", [1.1, 1.1, 0, 1.1, 1.1], [1.1, 1.1, 0, 0, 1.1]),
        ("we-4", [0.2] * 8, [0.2] * 7 + [-0.2]),
    ],
)
def test_western_electric_rules(
    rule: str, just_fires: list[float], just_does_not: list[float]
) -> None:
    assert fires(just_fires, rule, "we")
    assert not fires(just_does_not, rule, "we")


def test_rules_can_be_switched_off() -> None:
    assert run_rules(np.array([5.0, 5.0]), "none") == [[], []]


# ---------------------------------------------------------------- capability
def test_capability_indices_by_hand() -> None:
    values = [9.9, 10.1, 10.0, 10.2, 9.8, 10.0]
    result = capability(values, sigma_within=0.1, lsl=9.5, usl=10.6, target=10.0)
    assert result.cp == pytest.approx(1.1 / 0.6)
    assert result.cpk == pytest.approx((10.0 - 9.5) / 0.3)  # the mean is nearer the LSL
    overall = np.std(values, ddof=1)
    assert result.pp == pytest.approx(1.1 / (6 * overall))
    assert result.cpm == pytest.approx(1.1 / 0.6)  # on target: Cpm = Cp
    one_sided = capability(values, sigma_within=0.1, usl=10.6)
    assert one_sided.cp is None and one_sided.cpk == pytest.approx(2.0)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: xbar_r([[1.0, 2.0, 3.0]]), "at least two subgroups"),
        (lambda: xbar_r([[1.0, 2.0], [1.0, float("nan")]]), "subgroup 2: value 2 is not a number"),
        (lambda: xbar_r([[1.0], [2.0]]), "subgroup 1 has 1 values"),
        (lambda: xbar_s([[1.0] * 26, [2.0] * 26]), "must be 2..25"),
        (lambda: xbar_r([[1.0, 1.0], [1.0, 1.0]]), "no variation"),
        (lambda: imr([5.0]), "at least two values"),
        (lambda: p_chart([3, 60], [50, 50]), "sample 2: 60 defectives in a sample of 50"),
        (lambda: p_chart([3, 4], [50]), "2 counts but 1 sample sizes"),
        (lambda: capability([1.0, 2.0], sigma_within=0.5), "specification limit"),
        (lambda: capability([1.0, 2.0], sigma_within=0.5, lsl=3, usl=2), "must be below"),
    ],
)
def test_bad_input_is_named(call: object, message: str) -> None:
    with pytest.raises(SpcInputError, match=message):
        call()  # type: ignore[operator]


# Montgomery, Introduction to SQC, table 9.1: 30 observations, target 10, sigma 1.
MONTGOMERY_9_1 = [9.45, 7.99, 9.29, 11.66, 12.16, 10.18, 8.04, 11.46, 9.20, 10.34, 9.03, 11.47,
                  10.51, 9.40, 10.08, 9.37, 10.62, 10.31, 8.52, 10.84, 10.90, 9.33, 12.29, 11.50,
                  10.60, 11.08, 10.38, 11.62, 11.31, 10.52]  # fmt: skip


def test_tabular_cusum_matches_montgomery_example_9_1() -> None:
    result = cusum(MONTGOMERY_9_1, k=0.5, h=5.0, center=10.0, sigma=1.0)
    assert result.upper[28] == pytest.approx(5.28, abs=0.005)  # published C+ at period 29
    assert result.upper[29] == pytest.approx(5.30, abs=0.005)
    assert result.signals == [29, 30] and max(result.lower) < 5.0


def test_ewma_matches_montgomery_example_9_2() -> None:
    chart = ewma(MONTGOMERY_9_1, lam=0.1, width=2.7, center=10.0, sigma=1.0)
    assert chart.points[0].value == pytest.approx(9.945)
    assert chart.points[1].value == pytest.approx(9.7495)
    assert (chart.points[0].lcl, chart.points[0].ucl) == (
        pytest.approx(9.73, abs=0.005), pytest.approx(10.27, abs=0.005))  # fmt: skip
    assert chart.points[-1].ucl == pytest.approx(10.62, abs=0.005)  # steady-state limit
    assert [p.index for p in chart.points if p.violations] == [29, 30]
    with pytest.raises(SpcInputError, match="lambda"):
        ewma(MONTGOMERY_9_1, lam=1.5)


def test_phase_one_drops_points_beyond_the_limits_and_estimates_again() -> None:
    values = [5.0, 5.1, 4.9, 5.2, 9.5, 5.0, 4.8, 5.1, 5.0, 4.9]
    chart, dropped = reestimate(imr, values)
    assert dropped == [5]
    kept = values[:4] + values[5:]
    assert chart.center == pytest.approx(np.mean(kept))
    assert "nelson-1" in chart.points[4].violations  # still judged, no longer estimating
    (xbar, _), none_dropped = reestimate(xbar_r, PISTON)
    assert none_dropped == [] and xbar.center == pytest.approx(np.mean(PISTON))


def test_plotly_figure_marks_broken_rules() -> None:
    import json

    from tools.spc.plot import plotly_figure

    chart = imr([5.0, 5.1, 4.9, 5.2, 5.0, 4.8, 5.1, 5.0, 4.9, 9.5])
    figure = json.loads(plotly_figure([chart, moving_range([5.0, 5.1, 4.9])]))
    points = next(t for t in figure["data"] if t.get("mode") == "lines+markers")
    assert points["marker"]["color"][-1] == "red" and points["marker"]["color"][0] == "royalblue"
    assert "nelson-1" in points["text"][-1]
    assert len([t for t in figure["data"] if t.get("mode") == "lines+markers"]) == 2


def test_single_rules_can_be_switched_on() -> None:
    z = np.array([0.1] * 8 + [3.5])  # breaks nelson-1 and nelson-2 at the last point
    assert run_rules(z, "nelson")[-1] == ["nelson-1", "nelson-2"]
    assert run_rules(z, "nelson-2")[-1] == ["nelson-2"]
    assert run_rules(z, "nelson-1,nelson-5")[-1] == ["nelson-1"]
    for bad in ("nelson-9", "nelson-1,we-2", "shewhart"):
        with pytest.raises(SpcInputError, match="rules"):
            run_rules(z, bad)
