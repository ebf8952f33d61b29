"""The seeded fuzzer of the simulator (`make fuzz`): run.py drives it, protocol.py makes hostile envelopes,
fingerprint.py tells whether a refused request changed the database."""
