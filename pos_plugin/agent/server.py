"""Serve the agent's app on one address until interrupted (werkzeug's threaded server).

Called by `pos-plugin agent` (pos_plugin/cli/agent.py), which imports this module only when the agent
runs, so the other commands never load Flask.
"""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.serving import make_server

from pos_plugin.agent.app import create_app
from pos_plugin.config import Terminal


def serve(terminal: Terminal, host: str, port: int, *, token: str, announce: Callable[[str], None]) -> None:
    """Listen on host:port (0 = any free port), `announce` the base URL, serve until Ctrl-C."""
    app = create_app(terminal, token=token)
    server = make_server(host, port, app, threaded=True)
    shown = f"[{host}]" if ":" in host else host
    announce(f"http://{shown}:{server.server_port}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.extensions["yibao_agent_keys"].close()
