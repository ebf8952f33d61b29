"""Personal data masked for display (console, journal view): names 王*, ID numbers 610103********1234,
and credentials: an e-voucher's ecToken (a 30-minute bearer credential for 1101 and settlements) shows as
`610103ec****`, an e-voucher code (28 digits) as its first 6 and last 4 digits, so nobody reading the
console — with or without the admin token — can act as the patient.

The journal keeps what was sent (the audit needs it); only what is shown goes through here.
"""

from __future__ import annotations

import re
from typing import Any

from simulator.domain.models import mask_certno, mask_name

NAME_KEYS = frozenset({"psn_name", "name", "userName", "funder_name", "psn_name_masked"})
_CERTNO = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


_EC_TOKEN = re.compile(r"(?<![0-9A-Za-z])(\d{6}ec)[0-9A-Za-z_-]{8,}")
_EC_CODE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{18}(\d{4})(?![0-9A-Za-z])")


def mask_text(text: str) -> str:
    """Every 18-character ID number, ecToken and 28-digit e-voucher code inside `text` masked."""
    text = _EC_TOKEN.sub(lambda m: m.group(1) + "****", text)
    text = _EC_CODE.sub(lambda m: m.group(1) + "*" * 18 + m.group(2), text)
    return _CERTNO.sub(lambda m: mask_certno(m.group(0)), text)


def masked(node: Any, key: str = "") -> Any:
    """A copy of a JSON value with names and ID numbers masked."""
    if isinstance(node, dict):
        return {k: masked(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [masked(item, key) for item in node]
    if isinstance(node, str):
        if key in NAME_KEYS and node and not node.endswith("*"):
            return mask_name(node)
        return mask_text(node)
    return node
