"""The README's Python example runs as written (against the simulator, with a scanned e-voucher)."""

from __future__ import annotations

import re

from e2e_world import ROOT, scenario


def test_readme_python_example_settles_a_sale(admin, sim_url, tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"### From Python\n\n```python\n(.*?)```", text, re.S).group(1)
    loaded = admin.load_world(scenario("own-account-covers-everything"))
    _, png = admin.evoucher(loaded["handles"]["zhao"])
    (tmp_path / "frame.png").write_bytes(png)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("YIBAO_STATE_DIR", str(tmp_path / "state"))  # the example uses the per-user default
    printed: list[tuple[object, ...]] = []
    namespace = {"print": lambda *args: printed.append(args)}
    exec(compile(code.replace("http://127.0.0.1:8080", sim_url), "README.md", "exec"), namespace)
    namespace["terminal"].close()
    setl_id, legs, cash = printed[0]
    assert "56.80" in printed[1][0]  # the receipt
    assert setl_id and [(source, str(amount)) for source, amount in legs] == [("own", "56.80")]
    assert str(cash) == "0.00"
