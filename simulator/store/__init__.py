"""Storage. `tables` is imported first so every table (incl. `tables_family`) is on `metadata`."""

from simulator.store import tables as tables  # noqa: F401
