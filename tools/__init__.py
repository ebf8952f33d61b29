"""What is not the product: the benchmark (`python -m tools.bench`), the chaos soak (`python -m tools.soak`),
the fuzzer (`python -m tools.fuzz`), the throwaway PostgreSQL server (`tools.pg`) and the small hand-made
worlds (`tools.worlds`) that the tools and the tests share.

Nothing in pos_plugin/ or simulator/ imports this package, and it is not in the wheel; the tests import it
(pytest runs with the repository root on its path, setup.cfg `pythonpath`), the tools never import tests/.
"""
