"""Family-account use cases: bindings (共济), family pools, guardianships (亲情账户), wallets and transfers."""
