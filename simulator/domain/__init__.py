"""The simulator's pure core: rules and vocabulary, standard library only (no clock, no I/O)."""
