"""Settings in one place: the region policy the counter plans with, and the collaborators built from it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_plugin.checkout.sale import Counter
from pos_plugin.checkout.till import Till
from pos_plugin.errors import InputError
from pos_plugin.journal import Journal, Recovery
from pos_plugin.journal.sales import SaleBook
from pos_plugin.platform import Institution, Operator, PlatformClient, TifCredentials

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
POLICIES = FIXTURES / "policies"


@dataclass(frozen=True)
class RegionPolicy:
    """What the plugin needs to know of a region's policy to plan the payer chain (docs/domain.md §2.4)."""

    name: str
    account_pays_ownpay: bool = True
    wallet_enabled: bool = True

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> RegionPolicy:
        return cls(str(raw.get("name", "inline")), bool(raw.get("account_pays_ownpay", True)),
                   bool(raw.get("wallet_enabled", True)))


def region_policy(ref: str | dict[str, Any] | None) -> RegionPolicy:
    """A policy by profile name (fixtures/policies/<name>.json), an inline policy object, or the default."""
    if ref is None:
        ref = "national-default"
    if isinstance(ref, dict):
        return RegionPolicy.from_mapping(ref)
    path = POLICIES / f"{ref}.json"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in POLICIES.glob("*.json")))
        raise InputError(f"未知的地区政策 {ref!r}（可选: {known}）")
    return RegionPolicy.from_mapping(json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class TerminalSettings:
    """One checkout terminal of one institution: where the platform is and where local state lives."""

    platform_url: str
    fixmedins_code: str
    fixmedins_name: str = ""
    admdvs: str = ""
    policy: str | dict[str, Any] | None = None
    state_dir: Path = Path("var")
    terminal: str = "T1"
    operator: str = "0001"
    operator_name: str = "收银员"
    tif: str = ""  # "PAASID=TOKEN" when the platform's gateway wants x-tif signatures


@dataclass
class Terminal:
    """The collaborators a terminal's commands use, built in one place (`open_terminal`)."""

    settings: TerminalSettings
    client: PlatformClient
    journal: Journal
    recovery: Recovery
    counter: Counter
    sales: SaleBook
    till: Till

    def close(self) -> None:
        self.client.close()
        self.journal.close()
        self.sales.close()


def tif_credentials(text: str) -> TifCredentials | None:
    """`PAASID=TOKEN` -> x-tif credentials; empty -> none."""
    if not text:
        return None
    paasid, sep, token = text.partition("=")
    if not sep or not paasid.strip() or not token.strip():
        raise InputError("x-tif 凭据格式应为 PAASID=TOKEN")
    return TifCredentials(paasid.strip(), token.strip())


def open_terminal(settings: TerminalSettings) -> Terminal:
    """Platform client, journal, recovery, counter, sale book and the till over them, for one terminal."""
    if not settings.platform_url:
        raise InputError("未配置医保平台地址（--platform 或环境变量 YIBAO_PLATFORM）")
    missing = [label for label, value in (
        ("定点机构编码（--institution / YIBAO_INSTITUTION）", settings.fixmedins_code),
        ("定点机构名称（--institution-name / YIBAO_INSTITUTION_NAME）", settings.fixmedins_name),
        ("就医地医保区划（--admdvs / YIBAO_ADMDVS）", settings.admdvs)) if not value]
    if missing:
        raise InputError("未配置" + "、".join(missing))
    state = Path(settings.state_dir)
    journal = Journal(state / "journal.sqlite", terminal=settings.terminal)
    institution = Institution(settings.fixmedins_code, settings.fixmedins_name, settings.admdvs)
    client = PlatformClient.open(settings.platform_url, institution=institution,
                                 operator=Operator(settings.operator, settings.operator_name),
                                 state_path=state / "terminal-state.sqlite", recorder=journal,
                                 tif=tif_credentials(settings.tif))
    recovery = Recovery(client, journal)
    counter = Counter(client, account_pays_ownpay=region_policy(settings.policy).account_pays_ownpay,
                      recovery=recovery)
    sales = SaleBook(state / "journal.sqlite")
    return Terminal(settings, client, journal, recovery, counter, sales, Till(counter, sales, settings.fixmedins_name,
                                                                             recovery))
