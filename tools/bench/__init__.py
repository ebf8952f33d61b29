"""The benchmark (`make bench` = `python -m tools.bench`): one table, every figure beside its target."""
