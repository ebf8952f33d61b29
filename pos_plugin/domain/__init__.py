"""The pure core: money, cart split, line split preview and the payer chain. Standard library only."""

from pos_plugin.domain.cart import CartLine, CartSplit, cart_line_from_mapping, split_cart
from pos_plugin.domain.errors import DomainError, InvalidAmount, InvalidCartLine, InvariantViolation
from pos_plugin.domain.line_split import LineSplit, SplitTotals, split_line, split_totals
from pos_plugin.domain.money import format_amount, parse_amount, parse_decimal, round2
from pos_plugin.domain.payer_chain import (
    Burden,
    Choices,
    FamilyPool,
    Funder,
    Leg,
    PatientFunds,
    PayerPlan,
    eligible_amount,
    plan_payer_chain,
)
from pos_plugin.domain.region import RegionPolicies, RegionPolicy

__all__ = [
    "Burden", "CartLine", "CartSplit", "Choices", "DomainError", "FamilyPool", "Funder", "InvalidAmount",
    "InvalidCartLine", "InvariantViolation", "Leg", "LineSplit", "PatientFunds", "PayerPlan", "RegionPolicies",
    "RegionPolicy", "SplitTotals", "cart_line_from_mapping", "eligible_amount", "format_amount", "parse_amount",
    "parse_decimal", "plan_payer_chain", "round2", "split_cart", "split_line", "split_totals",
]
