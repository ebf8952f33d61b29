"""The tester's side: loading worlds and scenarios, admin operations (top-ups, reset, inspection)."""
