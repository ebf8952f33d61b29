"""The local checkout agent: an HTTP service on 127.0.0.1 for tills in any language, with the reference
web till at `/` (docs/agent-api.md). The app factory is `pos_plugin.agent.app.create_app`; this package
file imports nothing, so `pos-plugin` commands other than `agent` never load Flask."""
