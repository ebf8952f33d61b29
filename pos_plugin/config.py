"""Settings in one place: the region policies the counter plans with, and the collaborators built from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pos_plugin.catalogue.book import CatalogueBook
from pos_plugin.checkout.sale import Counter
from pos_plugin.checkout.stay import StayDesk
from pos_plugin.checkout.till import Till
from pos_plugin.checkout.visit import VisitDesk
from pos_plugin.domain.region import RegionPolicies, RegionPolicy
from pos_plugin.errors import InputError
from pos_plugin.journal import Journal, Recovery
from pos_plugin.journal.sales import SaleBook
from pos_plugin.journal.stays import StayBook
from pos_plugin.journal.uploads import SalesUploads
from pos_plugin.journal.visits import VisitBook
from pos_plugin.platform import Institution, Operator, PlatformClient, TifCredentials
from pos_plugin.platform.state import STATE_SCHEMA, StateDb, open_state
from pos_plugin.platform.state_pg import is_url
from pos_plugin.platform.transport import Timeouts
from pos_plugin.profiles import load_profile
from pos_plugin.state_home import default_state_dir

# The profiles the plugin ships (docs/domain.md §3): a patient insured in their province is planned with theirs.
SHIPPED_PROFILES = ("gansu", "guangdong", "national-default", "shaanxi")
PolicyRef = str | dict[str, Any]
# Seconds the till waits for the platform's reply before the outcome is unknown (README, docs/agent-api.md).
DEFAULT_PLATFORM_TIMEOUT = 20.0
LEGACY_STATE_FILE = "terminal-state.sqlite"  # where versions before issue 19 kept the msgid sequence and sign-ins


def region_policy(ref: PolicyRef | None) -> RegionPolicy:
    """A policy by profile name, an inline policy object, or the default (national-default)."""
    if ref is None:
        ref = "national-default"
    return RegionPolicy.from_mapping(ref if isinstance(ref, dict) else load_profile(ref))


def region_policies(ref: PolicyRef | None, others: tuple[PolicyRef, ...] = ()) -> RegionPolicies:
    """The terminal's policy (`ref`, its own region's and the default) plus `others` and the shipped
    profiles, so a patient from another province is planned with their insured region's (异地就医)."""
    known = tuple(region_policy(other) for other in others)
    return RegionPolicies(region_policy(ref), known + tuple(region_policy(name) for name in SHIPPED_PROFILES))


@dataclass(frozen=True)
class TerminalSettings:
    """One checkout terminal of one institution: where the platform is and where local state lives."""

    platform_url: str
    fixmedins_code: str
    fixmedins_name: str = ""
    admdvs: str = ""
    policy: PolicyRef | None = None
    state_dir: Path = field(default_factory=default_state_dir)  # per user, never the current directory
    terminal: str = "T1"
    operator: str = "0001"
    operator_name: str = "收银员"
    tif: str = ""  # "PAASID=TOKEN" when the platform's gateway wants x-tif signatures
    other_policies: tuple[PolicyRef, ...] = ()  # profiles beyond the shipped ones (a scenario's `policies`)
    platform_timeout: float = DEFAULT_PLATFORM_TIMEOUT  # seconds to wait for a reply (--platform-timeout)
    # postgresql://… : msgids, sign-ins, journal, sale book and idempotency keys in the one store the tills of
    # several PCs share (docs/till-store.md); empty: SQLite files under state_dir
    state_db: str = ""


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
    catalogue: CatalogueBook  # the downloaded insurance catalogue and the item-code mapping
    stays: StayBook
    desk: StayDesk  # the inpatient stays (checkout/stay.py)
    visits: VisitBook  # the outpatient visits' book
    visit_desk: VisitDesk  # the outpatient visits step by step (checkout/visit.py)

    def close(self) -> None:
        self.client.close()
        self.journal.close()
        self.sales.close()
        self.stays.close()
        self.visits.close()
        self.catalogue.close()
        if self.till.uploads is not None:
            self.till.uploads.close()


def platform_timeouts(seconds: float) -> Timeouts:
    """The reply timeout the terminal was given (the connect timeout stays the transport's own)."""
    if not 0 < seconds <= 600:
        raise InputError(f"医保平台超时应在 0–600 秒之间: {seconds:g}")
    return Timeouts(read=seconds)


def tif_credentials(text: str) -> TifCredentials | None:
    """`PAASID=TOKEN` -> x-tif credentials; empty -> none."""
    if not text:
        return None
    paasid, sep, token = text.partition("=")
    if not sep or not paasid.strip() or not token.strip():
        raise InputError("x-tif 凭据格式应为 PAASID=TOKEN")
    return TifCredentials(paasid.strip(), token.strip())


def open_terminal(settings: TerminalSettings) -> Terminal:
    """Platform client, journal, recovery, counter, sale book and the till over them, the visit book with the
    outpatient desk, and the stay book with the inpatient desk, for one terminal."""
    if not settings.platform_url:
        raise InputError("未配置医保平台地址（--platform 或环境变量 YIBAO_PLATFORM）")
    missing = [label for label, value in (
        ("定点机构编码（--institution / YIBAO_INSTITUTION）", settings.fixmedins_code),
        ("定点机构名称（--institution-name / YIBAO_INSTITUTION_NAME）", settings.fixmedins_name),
        ("就医地医保区划（--admdvs / YIBAO_ADMDVS）", settings.admdvs)) if not value]
    if missing:
        raise InputError("未配置" + "、".join(missing))
    state = Path(settings.state_dir)
    if settings.state_db and not is_url(settings.state_db):
        raise InputError("--state-db 须为 postgresql:// 地址（本机 SQLite 文件用 --state-dir）")
    timeouts, tif = platform_timeouts(settings.platform_timeout), tif_credentials(settings.tif)
    # One store for the msgid sequence, the sign-ins, the journal and the sale book (docs/till-store.md): a money
    # request's msgid is drawn in the transaction that journals it.
    books = open_state(settings.state_db or state / "journal.sqlite", schema=STATE_SCHEMA)
    journal = Journal(books, terminal=settings.terminal)
    institution = Institution(settings.fixmedins_code, settings.fixmedins_name, settings.admdvs)
    client = PlatformClient.open(settings.platform_url, institution=institution,
                                 operator=Operator(settings.operator, settings.operator_name),
                                 state_path=books, recorder=journal, tif=tif, timeouts=timeouts)
    if not settings.state_db:  # an older version drew this machine's msgids from a file of their own
        client.msgids.adopt(state / LEGACY_STATE_FILE)
    recovery = Recovery(client, journal)
    counter = Counter(client, policies=region_policies(settings.policy, settings.other_policies), recovery=recovery)
    sales = SaleBook(books)
    # The visit, stay and upload books: on the same connection as the journal in the SQLite file; beside a shared
    # PostgreSQL store they stay in this PC's own SQLite file, one connection for the three (docs/till-store.md).
    local = books if not settings.state_db else StateDb(state / "journal.sqlite", schema="")
    uploads = SalesUploads(local, client)
    visits = VisitBook(local)
    till = Till(counter, sales, settings.fixmedins_name, recovery, uploads, visits)
    assert till.outpatient is not None
    stays = StayBook(local)
    return Terminal(settings, client, journal, recovery, counter, sales, till, CatalogueBook(state / "catalogue.sqlite"),
                    stays, StayDesk(counter, stays, settings.fixmedins_name, recovery), visits, till.outpatient)
