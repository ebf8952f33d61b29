"""The transport reads proxy settings once, when it is built (not on every request), and still honours them."""

from __future__ import annotations

import pytest

from pos_plugin.platform.transport import HttpTransport


def test_proxy_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    transport = HttpTransport("http://platform.example:8080")
    assert transport.session.trust_env is False
    assert transport.session.proxies.get("http") == "http://proxy.example:3128"


def test_no_proxy_host_goes_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "platform.example")
    assert "http" not in HttpTransport("http://platform.example:8080").session.proxies


def test_ca_bundle_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/hospital-ca.pem")
    assert HttpTransport("https://platform.example").session.verify == "/etc/ssl/certs/hospital-ca.pem"
