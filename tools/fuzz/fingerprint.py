"""A fingerprint of the simulator's state: a hash of every row of every table that holds business state.

Left out: `id_counters` (the id allocator reserves blocks in its own short transaction; an unused serial
is not state) and `tif_nonces` (a nonce is spent by passing the gateway, even when the request is then
refused: that is the replay guard working) and `traffic` (the request journal records every exchange,
refusals included, by design). Everything else — accounts, pools, wallets, ledger,
settlements, msgid records, sign-ins, files, bindings — must be unchanged after a refused request.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine, select

from simulator.store.tables import metadata

NOT_STATE = ("id_counters", "tif_nonces", "traffic")


def fingerprint(engine: Engine) -> str:
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in NOT_STATE:
                continue
            digest.update(table.name.encode())
            for row in sorted(repr(tuple(r)) for r in conn.execute(select(table))):
                digest.update(row.encode("utf-8", "backslashreplace"))
    return digest.hexdigest()
