"""Failure paths of the counter against the real simulator: money exactly as before or exactly as after,
outpatient visits never left open, the cashier told plainly what happened."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest
from click.testing import CliRunner
from e2e_world import scenario

from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Counter, Order
from pos_plugin.cli import counter as cli_counter
from pos_plugin.cli import main
from pos_plugin.config import Terminal
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.domain.payer_chain import Choices
from pos_plugin.errors import BusinessError, NotSettled, PlanMismatch
from pos_plugin.platform.models import Registration, Settlement


class LegsAltered:
    """The real platform client, except that the settle reply reports other legs than the ones settled:
    what a platform that ignores or misapplies `exp_content.payplan` would answer. The simulator itself
    always honours the payplan, so this is the only way to reach the check after settlement.
    Also remembers the visits it opened, so a test can ask the platform whether they are still open."""

    def __init__(self, client: Any, on_settled: Any = None) -> None:
        self._client = client
        self._on_settled = on_settled
        self.visits: list[Registration] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def register(self, *args: Any, **kwargs: Any) -> Registration:
        reg = self._client.register(*args, **kwargs)
        self.visits.append(reg)
        return reg

    def _altered(self, done: Settlement) -> Settlement:
        if self._on_settled:
            self._on_settled()
        return replace(done, payleg=list(reversed(done.payleg)))

    def pharmacy_settle(self, *args: Any, **kwargs: Any) -> Settlement:
        return self._altered(self._client.pharmacy_settle(*args, **kwargs))

    def outpatient_settle(self, *args: Any, **kwargs: Any) -> Settlement:
        return self._altered(self._client.outpatient_settle(*args, **kwargs))


class Spy(LegsAltered):
    """The real client, settle replies untouched; only remembers the visits it opened."""

    def _altered(self, done: Settlement) -> Settlement:
        return done


def counter_over(terminal: Terminal, client: Any) -> Counter:
    return Counter(client, policies=terminal.counter.policies, recovery=terminal.recovery)


def order_of(scen: dict[str, Any], flow: str) -> Order:
    co = scen["checkout"]
    return Order(tuple(cart_line_from_mapping(line) for line in co["lines"]), flow,  # type: ignore[arg-type]
                 "11" if flow == "outpatient" else "41", Choices(co["use_account"], co["use_wallet"]))


def visit_is_open(terminal: Terminal, patient_psn_no: str, insuplc: str, mdtrt_id: str) -> bool:
    """Ask the platform: a cancelled visit refuses 2205 (ERR_VISIT_CANCELLED); an open one accepts it."""
    try:
        terminal.client.delete_fees(mdtrt_id=mdtrt_id, psn_no=patient_psn_no, insuplc=insuplc)
    except BusinessError as exc:
        assert "撤销挂号" in exc.message, exc.message
        return False
    return True


@pytest.fixture
def shaanxi(admin, make_terminal):
    scen = scenario("shaanxi-retiree-two-funders")
    admin.load_world(scen)
    terminal = make_terminal(scen)
    patient = identify(terminal.client, Credential("id_card", scen["people"][0]["certno"]))
    return scen, terminal, patient


@pytest.mark.parametrize("flow", ["outpatient", "pharmacy"])
def test_platform_settling_other_legs_than_confirmed_is_revoked_at_once(admin, shaanxi, flow):
    scen, terminal, patient = shaanxi
    before = admin.balances()
    client = LegsAltered(terminal.client)
    with pytest.raises(PlanMismatch) as info:
        counter_over(terminal, client).checkout(patient, order_of(scen, flow), lambda quote: True)
    assert "已自动撤销" in info.value.message and "未发生扣款" in info.value.message
    assert admin.balances() == before  # exactly as before: every leg went back
    for visit in client.visits:
        assert not visit_is_open(terminal, patient.psn_no, patient.insuplc, visit.mdtrt_id)


def test_when_the_automatic_revoke_fails_the_cashier_gets_the_settlement_id_and_can_revoke_it(admin, shaanxi):
    scen, terminal, patient = shaanxi
    before = admin.balances()
    client = LegsAltered(terminal.client, on_settled=lambda: admin.arm_fault("2208", "error", message="撤销服务暂停"))
    with pytest.raises(PlanMismatch) as info:
        counter_over(terminal, client).checkout(patient, order_of(scen, "outpatient"), lambda quote: True)
    sale = info.value.details["sale"]
    assert sale.setl_id and sale.setl_id in info.value.message and "仍然有效" in info.value.message
    assert admin.balances() != before  # the settlement stands, and the error says so
    terminal.counter.revoke(sale)
    assert admin.balances() == before


def test_cli_records_a_settlement_it_could_not_revoke_so_revoke_works(admin, sim_url, tmp_path, monkeypatch):
    scen = scenario("shaanxi-retiree-two-funders")
    admin.load_world(scen)
    before = admin.balances()
    real_open = cli_counter.open_terminal

    def open_altered(settings):
        terminal = real_open(settings)
        altered = LegsAltered(terminal.client, on_settled=lambda: admin.arm_fault("2208", "error", message="撤销服务暂停"))
        terminal.counter = terminal.till.counter = counter_over(terminal, altered)
        return terminal

    monkeypatch.setattr(cli_counter, "open_terminal", open_altered)
    inst = scen["institution"]
    env = {"YIBAO_PLATFORM": sim_url, "YIBAO_INSTITUTION": inst["code"], "YIBAO_INSTITUTION_NAME": inst["name"],
           "YIBAO_ADMDVS": inst["admdvs"], "YIBAO_POLICY": scen["policy"], "YIBAO_STATE_DIR": str(tmp_path / "var")}
    cart = tmp_path / "cart.json"
    cart.write_text(json.dumps(scen["checkout"]["lines"], ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()
    failed = runner.invoke(main, ["checkout", "--code", scen["people"][0]["certno"], "--cart", str(cart), "--flow",
                                  "outpatient", "--yes"], env=env, catch_exceptions=False)
    assert failed.exit_code == 2
    assert failed.output.count("ERR_PLAN_MISMATCH") == 1 and "pos-plugin revoke" in failed.output
    setl_id = re.search(r"结算 (\S+) 仍然有效", failed.output).group(1)  # type: ignore[union-attr]
    admin.clear_faults()
    revoked = runner.invoke(main, ["revoke", setl_id], env=env, catch_exceptions=False)
    assert revoked.exit_code == 0, revoked.output
    assert admin.balances() == before


def test_a_refusal_that_re_planning_cannot_fix_keeps_the_platforms_words_and_closes_the_visit(admin, shaanxi):
    scen, terminal, patient = shaanxi
    before = admin.balances()
    client = Spy(terminal.client)

    def confirm(quote):  # the settlement is refused, and so is the fresh pre-settlement that follows
        admin.arm_fault("2207", "error", message="医保结算服务暂停（测试）")
        admin.arm_fault("2206", "error", message="预结算服务繁忙（测试）")
        return True

    with pytest.raises(BusinessError) as info:
        counter_over(terminal, client).checkout(patient, order_of(scen, "outpatient"), confirm)
    assert "医保结算服务暂停" in info.value.message
    assert admin.balances() == before
    assert client.visits and not visit_is_open(terminal, patient.psn_no, patient.insuplc, client.visits[0].mdtrt_id)


def test_a_lost_reply_reversed_leaves_no_open_visit(admin, shaanxi):
    scen, terminal, patient = shaanxi
    before = admin.balances()
    client = Spy(terminal.client)
    admin.arm_fault("2207", "drop_after_commit")
    with pytest.raises(NotSettled):
        counter_over(terminal, client).checkout(patient, order_of(scen, "outpatient"), lambda quote: True)
    assert admin.balances() == before
    assert not visit_is_open(terminal, patient.psn_no, patient.insuplc, client.visits[0].mdtrt_id)


def test_cashier_interrupting_the_confirmation_leaves_no_open_visit(admin, shaanxi):
    scen, terminal, patient = shaanxi
    client = Spy(terminal.client)

    def interrupted(quote):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        counter_over(terminal, client).checkout(patient, order_of(scen, "outpatient"), interrupted)
    assert not visit_is_open(terminal, patient.psn_no, patient.insuplc, client.visits[0].mdtrt_id)


@pytest.fixture
def cli_env(admin, sim_url, tmp_path):
    scen = scenario("shaanxi-retiree-two-funders")
    admin.load_world(scen)
    inst = scen["institution"]
    env = {"YIBAO_PLATFORM": sim_url, "YIBAO_INSTITUTION": inst["code"], "YIBAO_INSTITUTION_NAME": inst["name"],
           "YIBAO_ADMDVS": inst["admdvs"], "YIBAO_POLICY": scen["policy"], "YIBAO_STATE_DIR": str(tmp_path / "var")}
    cart = tmp_path / "cart.json"
    cart.write_text(json.dumps(scen["checkout"]["lines"], ensure_ascii=False), encoding="utf-8")
    checkout = ["checkout", "--code", scen["people"][0]["certno"], "--cart", str(cart), "--flow", "outpatient"]
    return scen, env, checkout


def cli(env, *args, input=None):
    return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)


def test_refund_whose_resettlement_is_declined_marks_the_original_revoked(admin, cli_env):
    scen, env, checkout = cli_env
    before = admin.balances()
    sale = json.loads(cli(env, *checkout, "--yes", "--json").output.strip().splitlines()[-1])
    refund = cli(env, "refund", sale["setl_id"], "--code", scen["people"][0]["certno"], "--line", "D9004",
                 input="n\n")  # the cashier declines the new split
    assert refund.exit_code == 2 and refund.output.count("ERR_REFUND_RESETTLE") == 1
    assert admin.balances() == before  # the original is fully revoked, nothing new settled
    assert "该结算已撤销" in cli(env, "receipt", sale["setl_id"]).output
    again = cli(env, "revoke", sale["setl_id"])
    assert again.exit_code == 2 and "ERR_ALREADY_REVOKED" in again.output and "已撤销" in again.output


def test_a_sale_is_revoked_from_another_terminal_of_the_institution(admin, cli_env):
    _, env, checkout = cli_env
    before = admin.balances()
    sale = json.loads(cli(env, *checkout, "--yes", "--json").output.strip().splitlines()[-1])
    revoked = cli({**env, "YIBAO_TERMINAL": "T2"}, "revoke", sale["setl_id"])
    assert revoked.exit_code == 0, revoked.output
    assert admin.balances() == before
    assert cli(env, "revoke", sale["setl_id"]).exit_code == 2  # T1 sees it revoked too


def test_a_checkout_while_an_earlier_outcome_is_unresolved_is_refused_plainly(admin, cli_env):
    _, env, checkout = cli_env
    before = admin.balances()
    admin.arm_fault("2207", "drop_after_commit")
    admin.arm_fault("2601", "http500", count=10)  # the reversal cannot get through
    lost = cli(env, *checkout, "--yes")
    assert lost.exit_code == 2 and lost.output.count("ERR_UNKNOWN_OUTCOME") == 1
    moved = admin.balances()
    assert moved != before
    retry = cli(env, *checkout, "--yes")
    assert retry.exit_code == 2 and retry.output.count("ERR_RECOVERY_PENDING: ") == 1
    assert "pos-plugin recover" in retry.output
    assert "个人负担" not in retry.output  # refused before the cashier is shown a split to confirm
    assert admin.balances() == moved  # never a second debit
    admin.clear_faults()
    assert cli(env, "recover").exit_code == 0
    assert admin.balances() == before
