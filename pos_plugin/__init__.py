"""yibao-pos plugin: scan the 医保电子凭证, identify the patient, settle the bill through the payer chain.

The public API of the embedded plugin is exactly `__all__` (tests/unit/test_public_api.py pins it); the
README's example imports only from here. Every error it raises is a `PosError` (code + Chinese message).
Names load on first use (PEP 562), so `import pos_plugin.domain` stays free of Flask, requests and Pillow.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "PosError": "pos_plugin.domain.errors",
    "TerminalSettings": "pos_plugin.config",
    "Terminal": "pos_plugin.config",
    "open_terminal": "pos_plugin.config",
    "Credential": "pos_plugin.checkout.identify",
    "Expected": "pos_plugin.checkout.identify",
    "Patient": "pos_plugin.checkout.identify",
    "credential_from_text": "pos_plugin.checkout.identify",
    "identify": "pos_plugin.checkout.identify",
    "Order": "pos_plugin.checkout.sale",
    "Quote": "pos_plugin.checkout.sale",
    "Sale": "pos_plugin.checkout.sale",
    "BookedSale": "pos_plugin.checkout.till",
    "CartLine": "pos_plugin.domain.cart",
    "cart_line_from_mapping": "pos_plugin.domain.cart",
    "Choices": "pos_plugin.domain.payer_chain",
    "Leg": "pos_plugin.domain.payer_chain",
    "decode_image": "pos_plugin.qr",
}

__all__ = ["__version__", "PosError", "TerminalSettings", "Terminal", "open_terminal", "Credential", "Expected",
           "Patient", "credential_from_text", "identify", "Order", "Quote", "Sale", "BookedSale", "CartLine",
           "cart_line_from_mapping", "Choices", "Leg", "decode_image"]
assert __all__[1:] == list(_EXPORTS)

if TYPE_CHECKING:
    from pos_plugin.checkout.identify import Credential, Expected, Patient, credential_from_text, identify
    from pos_plugin.checkout.sale import Order, Quote, Sale
    from pos_plugin.checkout.till import BookedSale
    from pos_plugin.config import Terminal, TerminalSettings, open_terminal
    from pos_plugin.domain.cart import CartLine, cart_line_from_mapping
    from pos_plugin.domain.errors import PosError
    from pos_plugin.domain.payer_chain import Choices, Leg
    from pos_plugin.qr import decode_image


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'pos_plugin' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
