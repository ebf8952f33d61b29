"""What setup.cfg cannot say: the top-level `fixtures/` folder ships as the data package `yibao_fixtures`.

The metadata, dependencies, package data and entry points are in setup.cfg.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["pos_plugin", "pos_plugin.*", "simulator", "simulator.*"]), "yibao_fixtures"],
    package_dir={"yibao_fixtures": "fixtures"},
)
