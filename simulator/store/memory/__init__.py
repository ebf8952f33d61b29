"""The memory store (store.py): the platform's ports without a database, for fast tests of its rules."""

from simulator.store.memory.store import MemoryStore

__all__ = ["MemoryStore"]
