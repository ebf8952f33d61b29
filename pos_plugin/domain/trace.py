"""Drug traceability codes (药品追溯码) on a box: which strings are one (docs/protocol.md §7). Pure.

* `domestic`: the 20 digits starting with `8` printed under the words 药品追溯码 on Chinese drug boxes;
* `gs1`: a GS1 element string (the DataMatrix of imported drugs) with a GTIN-14 `(01)` whose check digit is
  right and a serial `(21)`, bracketed `(01)…(21)…` or raw with FNC1/GS (`\\x1d`) separators.
"""

from __future__ import annotations

import re

_DOMESTIC = re.compile(r"8\d{19}")
_GS1_BRACKETS = re.compile(r"\(01\)(\d{14})(?:\(17\)\d{6}|\(10\)[!-~]{1,20})*\(21\)([!-~]{1,20})(?:\(.+)?")
_GS1_RAW = re.compile(r"01(\d{14})(?:17\d{6}|10[!-~]{1,20}?\x1d)*21([!-~]{1,20})(?:\x1d.*)?", re.S)


def _gtin_ok(gtin: str) -> bool:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(gtin[:-1])))
    return (10 - total % 10) % 10 == int(gtin[-1])


def trace_code_form(code: str) -> str | None:
    """`domestic` / `gs1`, or None when `code` is not a traceability code."""
    if _DOMESTIC.fullmatch(code):
        return "domestic"
    for pattern in (_GS1_BRACKETS, _GS1_RAW):
        found = pattern.fullmatch(code)
        if found and _gtin_ok(found.group(1)):
            return "gs1"
    return None


def canonical_trace_code(code: str) -> str:
    """A raw GS1 DataMatrix string (FNC1/GS separated) in bracketed form, as it is sent; others unchanged."""
    found = _GS1_RAW.fullmatch(code)
    if found is None or not _gtin_ok(found.group(1)) or _DOMESTIC.fullmatch(code):
        return code
    return f"(01){found.group(1)}(21){found.group(2)}"
