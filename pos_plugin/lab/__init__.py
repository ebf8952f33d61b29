"""The lab: tooling for testers and demos, never part of a till's production path.

    demo.py             `pos-plugin demo` / `make demo`: the worked scenarios checked out from e-voucher images
    scenario_runner.py  `pos-plugin scenarios run`: a scenario file end to end against the simulator
    scenario_compare.py loading scenario files and comparing the outcome with `expect`
    embedded.py         the platform simulator as a child process (`python -m simulator serve --port 0`)
    sim_admin.py        client of the simulator's admin API (reset, worlds, balances, clock, faults)
    scanner/            test images for the scanner (synthesis, the hard corpus) and its measurement
    cli.py              the `demo` and `scenarios` commands (attached lazily by pos_plugin.cli)

Production code (commands, agent, checkout, journal, platform, qr, domain) never imports this package
(tests/test_layers.py). The lab uses the production packages' public functions like any client would;
scanner/ is the lab's imaging adapter (the one place besides pos_plugin/qr that imports Pillow, and the
only one that imports segno).
"""
