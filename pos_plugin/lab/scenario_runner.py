"""Run scenario files end to end: load the world into the platform simulator, check out through the real
protocol (scanning a rendered e-voucher PNG when the credential is `qr`), run the `then` steps, compare."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pos_plugin.catalogue import CatalogueBook, resolve_cart, sync_catalogue, upload_mappings
from pos_plugin.catalogue.sync import mappings_of
from pos_plugin.checkout.identify import BUSINESS_TYPE, Credential, Expected, credential_from_text, identify
from pos_plugin.checkout.sale import Order, Sale
from pos_plugin.checkout.till import BookedSale, Till
from pos_plugin.config import PolicyRef, TerminalSettings, open_terminal, region_policy
from pos_plugin.domain.cart import CartLine
from pos_plugin.domain.errors import DomainError
from pos_plugin.domain.money import format_amount
from pos_plugin.domain.payer_chain import Choices
from pos_plugin.errors import InputError, PlatformError, PosError
from pos_plugin.lab.scenario_compare import ScenarioError, compare, load_scenario
from pos_plugin.lab.sim_admin import SimulatorAdmin
from pos_plugin.platform import PlatformClient
from pos_plugin.platform.models import SETLINFO_FIELDS, Settlement
from pos_plugin.qr.decoder import decode_image


@dataclass
class ScenarioResult:
    """One file's verdict: `error` (the file could not be judged: unreadable, off the schema, world refused),
    else passed when no difference was found. `actual` and `then_actual` are what the run got."""

    name: str
    diffs: list[str] = field(default_factory=list)
    actual: dict[str, Any] = field(default_factory=dict)
    sale: Sale | None = None
    error: str = ""
    then_actual: list[dict[str, Any]] = field(default_factory=list)
    steps: list[Mapping[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.diffs and not self.error

    @property
    def status(self) -> str:
        return "error" if self.error else "pass" if self.passed else "fail"

    def got(self) -> dict[str, Any]:
        """What the run got, in the scenario format: `expect` and each `then` step with its `expect`."""
        out: dict[str, Any] = {"expect": self.actual}
        if self.steps:
            out["then"] = [{**{k: v for k, v in step.items() if k != "expect"}, "expect": got}
                           for step, got in zip(self.steps, self.then_actual, strict=False)]
        return out


@dataclass
class World:
    """The loaded world's handles, both ways."""

    handles: dict[str, str]
    pools: dict[str, str]
    card_sn: dict[str, str]

    def person(self, psn_no: str) -> str:
        return next((h for h, p in self.handles.items() if p == psn_no), psn_no)

    def pool(self, pool_id: str) -> str:
        return next((h for h, p in self.pools.items() if p == pool_id), pool_id)


def run_scenario(scenario: Mapping[str, Any], base_url: str, workdir: Path,
                 on_sale: Callable[[Sale], None] | None = None,
                 narrate: Callable[[str], None] = lambda text: None) -> ScenarioResult:
    """One scenario in a fresh world; every difference from `expect` (and each `then.expect`) listed."""
    admin = SimulatorAdmin(base_url)
    admin.reset()
    try:
        loaded = admin.load_world(dict(scenario))
    except PlatformError as exc:  # the simulator refused the world: the file is wrong, not the checkout
        admin.close()
        raise ScenarioError(f"场景 {scenario['name']} 的世界无法加载: {exc.message}",
                            code=str(exc.details.get("admin_code") or ScenarioError.code)) from None
    world = World(loaded.get("handles", {}), loaded.get("pools", {}), loaded.get("card_sn", {}))
    terminal = open_terminal(settings_for(scenario, base_url, workdir))
    result = ScenarioResult(scenario["name"])
    try:
        booked, error = _checkout(scenario, world, admin, terminal.client, terminal.till, terminal.catalogue, workdir,
                                  narrate)
        result.sale = booked.sale if booked else None
        if booked and on_sale:
            on_sale(booked.sale)
        result.actual = outcome(result.sale, error, world, admin)
        result.diffs = compare(scenario.get("expect", {}), result.actual)
        for index, step in enumerate(scenario.get("then", [])):
            booked = _then(step, booked, terminal.till)
            got = outcome(booked.sale if booked else None, None, world, admin)
            result.steps.append(step)
            result.then_actual.append(got)
            narrate(f"后续步骤 {step.get('action')}: 余额 {got['balances_after']} 家庭共济 {got['pools_after']}"
                    f" 钱包 {got['wallets_after']}")
            result.diffs += compare(step.get("expect", {}), got, prefix=f"then[{index}].")
    finally:
        terminal.close()
        admin.close()
    return result


def settings_for(scenario: Mapping[str, Any], base_url: str, workdir: Path) -> TerminalSettings:
    """A terminal of the scenario's institution, its state (msgids, journal) kept in `workdir`, configured
    with its own region's policy and knowing every profile the file lists."""
    institution = scenario["institution"]
    listed = (scenario.get("policy"), *(scenario.get("policies") or ()))
    return TerminalSettings(base_url, str(institution["code"]), str(institution.get("name", "")),
                            str(institution.get("admdvs", "")), shop_policy(scenario),
                            workdir, other_policies=tuple(ref for ref in listed if ref is not None))


def shop_policy(scenario: Mapping[str, Any]) -> PolicyRef | None:
    """The terminal's `--policy`: the institution's own (named, or the file's profile of its province).
    The scenario's `policy` is the patient's region's (docs/scenarios.md); without a profile for the
    institution's province it is the terminal's too."""
    institution = scenario["institution"]
    if institution.get("policy"):
        return str(institution["policy"])
    listed: list[PolicyRef] = [scenario["policy"], *(scenario.get("policies") or ())]
    province = str(institution.get("admdvs", ""))[:2]
    return next((ref for ref in listed if region_policy(ref).province == province), scenario.get("policy"))


def _checkout(scenario: Mapping[str, Any], world: World, admin: SimulatorAdmin, client: PlatformClient,
              till: Till, book: CatalogueBook, workdir: Path,
              narrate: Callable[[str], None]) -> tuple[BookedSale | None, PosError | None]:
    checkout = scenario["checkout"]
    people = {p["id"]: p for p in scenario["people"]}
    patient_id = checkout["patient"]
    try:
        credential = _credential(checkout.get("credential", "qr"), people[patient_id], world, admin, workdir)
        narrate(f"凭证: {_describe(credential)}")
        flow = checkout.get("flow", "pharmacy")
        patient = identify(client, credential, expected=Expected(**checkout.get("cashier_knows", {})),
                           business_type=BUSINESS_TYPE.get(flow, "02121"))
        order = Order(_cart(scenario, client, book, workdir), flow,
                      str(checkout.get("med_type", "41" if flow == "pharmacy" else "11")),
                      Choices(bool(checkout.get("use_account", True)), bool(checkout.get("use_wallet", True))))
        return till.checkout(patient, order, confirm=lambda quote: True), None
    except DomainError:
        raise  # a bad scenario (its cart, its world) stops the run; it is not the checkout's outcome
    except PosError as exc:
        return None, exc


def _cart(scenario: Mapping[str, Any], client: PlatformClient, book: CatalogueBook, workdir: Path) -> tuple[CartLine, ...]:
    """The cart as the till plans it. A scenario with a `mapping` (item codes to insurance codes) or a
    `catalogue`, or a line sold by the pharmacy's own item code, syncs the catalogue (1312) first and uploads
    the mapping (3301); the others plan their class-annotated lines as written (a till with no catalogue)."""
    lines = scenario["checkout"]["lines"]
    today = client.clock().date().isoformat()
    if not (scenario.get("mapping") or scenario.get("catalogue") or any("item" in raw for raw in lines)):
        return resolve_cart(lines, None, today)
    sync_catalogue(client, book)
    if scenario.get("mapping"):
        upload_mappings(client, book, mappings_of(scenario["mapping"]), begndate=today)
    return resolve_cart(lines, book, today)


def _credential(kind: str, person: Mapping[str, Any], world: World, admin: SimulatorAdmin, workdir: Path) -> Credential:
    if kind == "qr":
        _, png = admin.evoucher(world.handles[person["id"]])
        image = workdir / f"evoucher-{person['id']}.png"
        image.write_bytes(png)
        codes = decode_image(image)
        if not codes:
            raise InputError(f"电子凭证图片中没有识别到二维码: {image}")
        return credential_from_text(codes[0])
    if kind == "id_card":
        return Credential("id_card", str(person["certno"]))
    if kind == "ss_card":
        return Credential("ss_card", world.card_sn[person["id"]], str(person["certno"]))
    raise InputError(f"未知的凭证类型: {kind}")


def _describe(credential: Credential) -> str:
    shown = credential.value if credential.kind == "ecode" else credential.value[:3] + "***" + credential.value[-4:]
    kind = {"ecode": "医保电子凭证二维码（扫码识别）", "id_card": "身份证号", "ss_card": "社保卡"}[credential.kind]
    return f"{kind} {shown}"


def _then(step: Mapping[str, Any], booked: BookedSale | None, till: Till) -> BookedSale | None:
    """A `then` step through the till, as a cashier would do it: by the sale's id in the sale book."""
    if booked is None:
        raise InputError("前一步没有成功的结算，无法执行后续步骤")
    if step.get("action") == "revoke":
        till.revoke(booked.sale_id)
        return None
    if step.get("action") == "refund":
        refunded = till.refund(booked.sale_id, booked.sale.quote.patient, list(step.get("lines", [])),
                               confirm=lambda quote: True)
        return refunded.new
    raise InputError(f"未知的后续步骤: {step.get('action')}")


def outcome(sale: Sale | None, error: PosError | None, world: World, admin: SimulatorAdmin) -> dict[str, Any]:
    """What happened, in the shape of a scenario's `expect`, people and pools named by handle."""
    balances = admin.balances()
    result: dict[str, Any] = {
        "balances_after": {world.person(k): format_amount(v) for k, v in balances["accounts"].items()},
        "pools_after": {world.pool(k): format_amount(v) for k, v in balances["pools"].items()},
        "wallets_after": {world.person(k): format_amount(v) for k, v in balances["wallets"].items()},
        "error": {"code": error.short_code, "message": error.message} if error else None,
    }
    if sale is not None:
        result.update(_sale_outcome(sale, world))
    return result


def _sale_outcome(sale: Sale, world: World) -> dict[str, Any]:
    settlement: Settlement | None = sale.settlement
    setlinfo = {name: format_amount(sale.figure(name)) for name in SETLINFO_FIELDS}
    legs = []
    for leg in settlement.payleg if settlement else []:
        if leg.amount == 0:
            continue
        entry: dict[str, Any] = {"source": leg.source, "amount": format_amount(leg.amount)}
        if leg.source == "pool":
            entry["pool"] = world.pool(leg.pool_id)
        else:
            entry["person"] = world.person(leg.psn_no)
        if leg.rank is not None:
            entry["rank"] = leg.rank
        legs.append(entry)
    return {"setlinfo": setlinfo, "legs": legs, "outside_settlement": format_amount(sale.outside_settlement),
            "cash_total": format_amount(sale.cash_total)}


def run_files(paths: list[Path], base_url: str) -> list[ScenarioResult]:
    """Each file judged on its own: one that cannot be read, breaks the schema or whose world the simulator
    refuses is that file's ERROR, and the others still run."""
    results = []
    for path in paths:
        with tempfile.TemporaryDirectory(prefix="yibao-scn-") as tmp:
            try:
                results.append(run_scenario(load_scenario(path), base_url, Path(tmp)))
            except ScenarioError as exc:
                results.append(ScenarioResult(str(path), error=str(exc)))
            except PosError as exc:
                results.append(ScenarioResult(Path(path).stem, [f"run: {exc}"]))
    return results


__all__ = ["ScenarioResult", "World", "outcome", "run_files", "run_scenario"]
