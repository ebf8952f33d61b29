"""The docs/domain.md §2.2–2.3 formulas restated for the rule tests, in exact fractions.

An oracle written independently of `simulator/platform`: no `Decimal.quantize`, no code under test.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from math import floor

from hypothesis import strategies as st


def r2(value: Fraction) -> Fraction:
    """`round2`: half up (away from zero on a tie) to the fen."""
    sign = -1 if value < 0 else 1
    return sign * Fraction(floor(abs(value) * 100 + Fraction(1, 2)), 100)


NONE = Fraction(0)


def F(value: Decimal) -> Fraction:  # noqa: N802 - reads like a cast
    return Fraction(value)


def decimals(places: int, max_units: int, min_units: int = 0) -> st.SearchStrategy[Decimal]:
    """Non-negative Decimals with exactly `places` places: `units` × 10^-places."""
    return st.integers(min_value=min_units, max_value=max_units).map(lambda units: Decimal(units).scaleb(-places))


money = decimals(2, 2_000_000)
