"""The conformance audit: a catalogue of rules a till must keep (`rules.py`), checked against the request
journal the simulator recorded (`simulator.store.traffic`)."""
