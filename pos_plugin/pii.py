"""Personal data kept no longer than needed: what the journal stores and what the cashier is shown.

The journal needs ids (psn_no, msgid, setl_id, mdtrt_id) and amounts to recover and reconcile; it never
needs a person's name or ID number. `mask_record` masks them in a stored request/reply; `mask_text`
masks any resident ID number (18 characters: 17 digits and a check digit or X) inside free text, such as
a platform error message that echoes what the cashier typed.
"""

from __future__ import annotations

import re
from typing import Any

# Keys whose values are a person's name or certificate number, wherever they appear in a message.
NAME_KEYS = frozenset({"psn_name", "name", "certname", "patient_name"})
CERT_KEYS = frozenset({"certno", "mdtrt_cert_no", "psn_cert_no", "cert_no", "card_sn"})
_PERSONAL = NAME_KEYS | CERT_KEYS
# An ID number standing alone (not a slice of a longer run of digits such as a 22-digit setl_id).
ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")


def mask_id(text: str) -> str:
    """610103195801010753 -> 610***********0753: 3 leading and 4 trailing characters kept."""
    if len(text) <= 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def mask_name(name: str) -> str:
    """王建国 -> 王*."""
    return f"{name[0]}*" if name else ""


def mask_text(text: str) -> str:
    """Every ID number inside `text` masked; everything else unchanged."""
    return ID_NUMBER.sub(lambda found: mask_id(found.group(0)), text)


def mask_record(value: Any) -> Any:
    """A JSON-like value with names and certificate numbers masked (a new value; the input is unchanged)."""
    if isinstance(value, dict):  # a short text under an ordinary key (most of a message) is kept without a call
        return {key: item if type(item) is str and len(item) < 18 and key not in _PERSONAL else _mask_field(key, item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [mask_record(item) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    return value


def _mask_field(key: str, value: Any) -> Any:
    if isinstance(value, str) and value:
        if key in NAME_KEYS:
            return mask_name(value)
        if key in CERT_KEYS:
            return mask_id(value)
        return mask_text(value) if len(value) >= 18 else value  # shorter than any ID number: nothing to mask
    return mask_record(value)
