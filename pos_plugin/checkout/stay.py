"""The hospital billing desk's inpatient stay (docs/domain.md §2.7): admit (2401), upload the days' fees in
batches (2301, from a file or the API, across till restarts — the stay lives in the stay book), delete a line
(2302), discharge (2402) or cancel it (2405), cancel the admission (2404), pre-settle (2303) and show the split
and the payer chain for the cashier to confirm, settle with the confirmed payplan (2304, journaled: a lost
reply is reversed exactly as a lost 2102), print the 出院结算单, revoke (2305).

The platform decides the fund; the plugin plans the payer chain itself and stops when the platform's legs
differ, exactly as for a sale (checkout/sale.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pos_plugin.checkout.identify import Patient
from pos_plugin.checkout.sale import MAX_REPLANS, Counter, SaleCancelled, leg_from_platform, plan_difference
from pos_plugin.domain.cart import CartLine
from pos_plugin.domain.money import ZERO
from pos_plugin.domain.payer_chain import Burden, Choices, Leg, PayerPlan, plan_payer_chain
from pos_plugin.errors import (
    AlreadySettled,
    BusinessError,
    IdentityMismatch,
    InputError,
    PlanMismatch,
    PosError,
)
from pos_plugin.journal.fees import fees_from_result
from pos_plugin.journal.recovery import Recovery
from pos_plugin.journal.stays import StayBook, StayFee, StayRecord
from pos_plugin.platform.models import Settlement
from pos_plugin.receipt import render_discharge_receipt

TIME = "%Y-%m-%d %H:%M:%S"
CONSENT = Choices()  # the accounts and the wallet may pay (the patient did not decline)


@dataclass(frozen=True)
class Ward:
    """Where the patient is admitted and why: what the ward's system supplies for 2401."""

    ipt_no: str
    dept_code: str
    dept_name: str
    bed: str = ""
    doctor_code: str = ""
    doctor_name: str = ""
    diagnosis_code: str = ""
    diagnosis_name: str = ""

    def node(self) -> dict[str, str]:
        return {"ipt_no": self.ipt_no, "adm_dept_codg": self.dept_code, "adm_dept_name": self.dept_name,
                "adm_bed": self.bed, "atddr_no": self.doctor_code, "chfpdr_name": self.doctor_name,
                "adm_diag_dscr": self.diagnosis_name}


@dataclass(frozen=True)
class StayQuote:
    """What the cashier confirms at discharge: the platform's 2303 and the plugin's planned legs."""

    stay: StayRecord
    patient: Patient
    choices: Choices
    presettle: Settlement
    plan: PayerPlan

    def figure(self, name: str) -> Decimal:
        return self.presettle.amount(name)


@dataclass(frozen=True)
class SettledStay:
    stay: StayRecord
    settlement: Settlement
    legs: tuple[Leg, ...]
    receipt: str

    @property
    def cash_due(self) -> Decimal:
        return self.settlement.amount("psn_cash_pay")


ConfirmStay = Callable[[StayQuote], bool]


class StayDesk:
    """One terminal's inpatient use cases over the platform client, the counter's planning and the stay book."""

    def __init__(self, counter: Counter, stays: StayBook, institution_name: str, recovery: Recovery | None = None,
                 clock: Callable[[], datetime] = datetime.now) -> None:
        self.counter = counter
        self.platform = counter.platform
        self.stays = stays
        self.institution_name = institution_name
        self.recovery = recovery
        self.clock = clock

    # -- admission ------------------------------------------------------------------------------
    def admit(self, patient: Patient, ward: Ward, *, begntime: datetime | None = None) -> StayRecord:
        """2401 with the ward's real department, bed, doctor and diagnosis; the stay goes into the stay book."""
        at = (begntime or self.clock()).strftime(TIME)
        info = {"psn_no": patient.psn_no, "insutype": patient.insutype, "begntime": at,
                "mdtrt_cert_type": patient.mdtrt_cert_type, "mdtrt_cert_no": patient.mdtrt_cert_no,
                "card_sn": patient.card_sn, "med_type": "21", "medrcdno": ward.ipt_no, **ward.node()}
        diseinfo = [{"psn_no": patient.psn_no, "diag_type": "1", "maindiag_flag": "1", "diag_srt_no": "1",
                     "diag_code": ward.diagnosis_code, "diag_name": ward.diagnosis_name, "diag_dept": ward.dept_name,
                     "dise_dor_no": ward.doctor_code, "dise_dor_name": ward.doctor_name, "diag_time": at}
                    ] if ward.diagnosis_code else []
        mdtrt_id = self.platform.admit(info, diseinfo, insuplc=patient.insuplc)
        record = StayRecord(mdtrt_id, patient.psn_no, patient.insuplc, patient.insutype, patient.name, ward.ipt_no,
                            ward.node(), at, None, "admitted", None, "")
        self.stays.admitted(record)
        return record

    def cancel_admission(self, mdtrt_id: str) -> StayRecord:
        """2404: an admission in error, before discharge; its unsettled fees go with it."""
        stay = self._in_state(mdtrt_id, "admitted", "取消入院")
        self.platform.cancel_admission(mdtrt_id=mdtrt_id, psn_no=stay.psn_no, insuplc=stay.insuplc)
        self.stays.delete_fees(mdtrt_id, "0000")
        self.stays.set_state(mdtrt_id, "cancelled")
        return self.stays.get(mdtrt_id)

    # -- fees -----------------------------------------------------------------------------------
    def add_fees(self, mdtrt_id: str, lines: Sequence[CartLine], *, day: date | None = None,
                 at: datetime | None = None) -> list[StayFee]:
        """2301: one batch of the stay's fees (one day's orders); returns each line with the platform's split."""
        stay = self._in_state(mdtrt_id, "admitted", "上传费用")
        if not lines:
            raise InputError("本批没有费用明细")
        outside = [line.code for line in lines if not line.insurable]
        if outside:
            raise InputError(f"住院费用须为医疗收费项目（医保目录内或丙类自费），不能含非医保商品: {', '.join(outside)}")
        moment = at or (_day_time(day, stay.begntime) if day else self.clock())
        batch = (day or moment.date()).isoformat()
        first = self.stays.count_fees(mdtrt_id) + 1
        sns = [f"{n:05d}" for n in range(first, first + len(lines))]
        rows = [{"feedetl_sn": sn, "med_list_codg": line.code, "medins_list_codg": line.code,
                 "medins_list_name": line.name, "det_item_fee_sumamt": line.amt, "cnt": line.qty, "pric": line.price,
                 "fee_ocur_time": moment.strftime(TIME), "rxno": "", "rx_circ_flag": "0", "bilg_dr_codg": "",
                 "bilg_dr_name": "", "mdtrt_id": mdtrt_id, "psn_no": stay.psn_no, "chrg_bchno": batch,
                 "bilg_dept_codg": stay.ward.get("adm_dept_codg", ""),
                 "bilg_dept_name": stay.ward.get("adm_dept_name", ""), "hosp_appr_flag": "1"}
                for sn, line in zip(sns, lines, strict=True)]
        fees = fees_from_result(sns, batch, moment.strftime(TIME), lines,
                                self.platform.upload_stay_fees(rows, insuplc=stay.insuplc))
        self.stays.add_fees(mdtrt_id, fees)
        return fees

    def delete_fee(self, mdtrt_id: str, feedetl_sn: str) -> int:
        """2302: delete one unsettled line (`0000`: every unsettled line) of a stay not settled."""
        stay = self.stays.get(mdtrt_id)
        if stay.state in ("settled", "cancelled"):
            raise InputError(f"住院 {mdtrt_id} 已{_STATE_NAMES[stay.state]}，不能删除费用")
        deleted = self.platform.delete_stay_fees(mdtrt_id=mdtrt_id, psn_no=stay.psn_no, insuplc=stay.insuplc,
                                                 feedetl_sn=feedetl_sn)
        self.stays.delete_fees(mdtrt_id, feedetl_sn)
        return deleted

    # -- discharge ------------------------------------------------------------------------------
    def discharge(self, mdtrt_id: str, *, endtime: datetime | None = None, way: str = "1") -> StayRecord:
        """2402: the patient leaves; no fees after this (cancel the discharge to add more)."""
        stay = self._in_state(mdtrt_id, "admitted", "办理出院")
        end = (endtime or self.clock()).strftime(TIME)
        self.platform.discharge({"mdtrt_id": mdtrt_id, "psn_no": stay.psn_no, "insutype": stay.insutype, "endtime": end,
                                 "dscg_dept_codg": stay.ward.get("adm_dept_codg", ""),
                                 "dscg_dept_name": stay.ward.get("adm_dept_name", ""), "dscg_way": way,
                                 "die_date": ""}, [], insuplc=stay.insuplc)
        self.stays.set_state(mdtrt_id, "discharged", endtime=end)
        return self.stays.get(mdtrt_id)

    def cancel_discharge(self, mdtrt_id: str) -> StayRecord:
        """2405: back in hospital (a discharge in error, or fees to add); a settled stay is revoked first."""
        stay = self._discharged(mdtrt_id, "撤销出院", "须先撤销结算（2305）再撤销出院")
        self.platform.cancel_discharge(mdtrt_id=mdtrt_id, psn_no=stay.psn_no, insuplc=stay.insuplc)
        self.stays.set_state(mdtrt_id, "admitted")
        return self.stays.get(mdtrt_id)

    # -- settle ---------------------------------------------------------------------------------
    def quote(self, mdtrt_id: str, patient: Patient, choices: Choices = CONSENT) -> StayQuote:
        """2303 and the plugin's own payer chain for a discharged stay; stops if the platform's legs differ."""
        stay = self._discharged(mdtrt_id, "结算", "不要重新结算")
        if patient.psn_no != stay.psn_no:
            raise IdentityMismatch("出示的凭证不是该住院患者本人，不能结算")
        pre = self.platform.inpatient_presettle(self._settle_data(stay, patient, choices), insuplc=stay.insuplc,
                                                use_wallet=choices.use_wallet)
        burden = Burden(pre.amount("psn_part_amt"), pre.amount("fulamt_ownpay_amt"), pre.amount("overlmt_selfpay"))
        plan = self._plan(patient, burden, choices)
        if plan_difference(plan, pre):
            # The 2303 read the accounts just now; the patient's 1101 may be older (identified at admission, a
            # relative's top-up or another sale since): plan again from a fresh 1101, as a sale's quote does,
            # and stop only on a difference that remains.
            patient = self.counter.refreshed(patient)
            plan = self._plan(patient, burden, choices)
        difference = plan_difference(plan, pre)
        if difference:
            raise PlanMismatch(f"平台预结算的支付分项与本地计算不一致（已重新查询账户）：{difference}，已停止结算")
        return StayQuote(stay, patient, choices, pre, plan)

    def _plan(self, patient: Patient, burden: Burden, choices: Choices) -> PayerPlan:
        return plan_payer_chain(patient.funds, burden, choices=choices,
                                account_pays_ownpay=self.counter.policy_of(patient).account_pays_ownpay)

    def checkout(self, mdtrt_id: str, patient: Patient, confirm: ConfirmStay, choices: Choices = CONSENT) -> SettledStay:
        """Quote, confirm with the cashier, settle with the confirmed payplan; re-plan if a balance moved."""
        if self.recovery:
            self.recovery.clear_backlog(patient.psn_no)
        quote = self.quote(mdtrt_id, patient, choices)
        for _ in range(MAX_REPLANS + 1):
            if not confirm(quote):
                raise SaleCancelled()
            try:
                return self.settle(quote)
            except BusinessError as refused:
                quote = self._requote(quote, refused)
        raise PlanMismatch("账户余额在结算过程中多次变动，请重新结算")

    def _requote(self, quote: StayQuote, refused: BusinessError) -> StayQuote:
        try:
            fresh = self.quote(quote.stay.mdtrt_id, self.counter.refreshed(quote.patient), quote.choices)
        except PosError:
            raise refused from None
        if fresh.plan == quote.plan:
            raise refused from None  # not a balance that moved: the platform's own reason stands
        return fresh

    def settle(self, quote: StayQuote) -> SettledStay:
        """2304 with the confirmed payplan, under the journal; the stay is booked settled with its receipt."""
        stay, patient = quote.stay, quote.patient
        data = self._settle_data(stay, patient, quote.choices)
        done = self._guarded(patient.psn_no, lambda: self.platform.inpatient_settle(
            data, insuplc=stay.insuplc, presettle=quote.presettle, payplan=quote.plan.legs,
            use_wallet=quote.choices.use_wallet))
        difference = plan_difference(quote.plan, done)
        if difference:
            self._revoke_unconfirmed(stay, done, difference)
        return self._book(stay, done, quote.plan.legs)

    def _revoke_unconfirmed(self, stay: StayRecord, done: Settlement, difference: str) -> None:
        head = f"平台结算的支付分项与确认的不一致：{difference}"
        try:
            self._revoke_on_platform(stay, done.setl_id)
        except PosError as exc:
            self._book(stay, done, tuple(leg_from_platform(leg) for leg in done.payleg if leg.amount != 0))
            raise PlanMismatch(f"{head}；自动撤销失败（{exc.code}: {exc.message}），结算 {done.setl_id} 仍然有效，"
                               f"请执行 pos-plugin stay revoke {stay.mdtrt_id} 撤销", setl_id=done.setl_id) from exc
        raise PlanMismatch(f"{head}；已自动撤销结算 {done.setl_id}，各段已原路退回，请重新结算", setl_id=done.setl_id)

    def _book(self, stay: StayRecord, done: Settlement, legs: tuple[Leg, ...]) -> SettledStay:
        settled = replace(stay, state="settled", setl_id=done.setl_id)
        receipt = render_discharge_receipt(self.institution_name, settled, self.stays.fees(stay.mdtrt_id), done, legs)
        self.stays.set_state(stay.mdtrt_id, "settled", endtime=stay.endtime, setl_id=done.setl_id, receipt=receipt)
        return SettledStay(self.stays.get(stay.mdtrt_id), done, legs, receipt)

    def revoke(self, mdtrt_id: str) -> Settlement:
        """2305: every leg goes back; the stay is discharged and unsettled again (settle it anew, or cancel the
        discharge)."""
        stay = self._in_state(mdtrt_id, "settled", "撤销结算")
        assert stay.setl_id is not None
        if self.recovery is not None:
            earlier = self.recovery.journal.revoke_in_effect(stay.setl_id, institution=self.platform.institution.fixmedins_code)
            if earlier is not None:  # the journal holds its answered revoke: never send a second one
                self.stays.set_state(mdtrt_id, "discharged", endtime=stay.endtime)
                raise InputError(f"结算 {stay.setl_id} 已撤销（流水号 {earlier.msgid}），不能重复撤销")
        done = self._revoke_on_platform(stay, stay.setl_id)
        self.stays.set_state(mdtrt_id, "discharged", endtime=stay.endtime)
        return done

    def _revoke_on_platform(self, stay: StayRecord, setl_id: str) -> Settlement:
        return self._guarded(stay.psn_no, lambda: self.platform.inpatient_revoke(
            setl_id=setl_id, mdtrt_id=stay.mdtrt_id, psn_no=stay.psn_no, insuplc=stay.insuplc))

    # -- after a crash --------------------------------------------------------------------------
    def book_from_journal(self) -> list[StayRecord]:
        """Answered 2304s the stay book does not show settled (a crash after the reply, before booking): book
        each with its receipt, from the journal's reply. First, a stay the book shows settled whose answered
        revoke (2305) it missed (a crash after the revoke's reply) is discharged and unsettled again, as
        `revoke` leaves it."""
        if self.recovery is None:
            return []
        code = self.platform.institution.fixmedins_code
        for stay in self.stays.all("settled"):
            if stay.setl_id and self.recovery.journal.revoke_in_effect(stay.setl_id, institution=code) is not None:
                self.stays.set_state(stay.mdtrt_id, "discharged", endtime=stay.endtime)
        booked = []
        for entry in self.recovery.journal.stay_settlements_in_effect():
            settled = Settlement.from_output(entry.reply, entry.msgid)
            try:
                stay = self.stays.get(settled.mdtrt_id)
            except InputError:
                continue  # a stay of another book (another terminal's state directory)
            if stay.setl_id == settled.setl_id:
                continue
            booked.append(self._book_answered(stay, settled).stay)
        return booked

    def _book_answered(self, stay: StayRecord, settled: Settlement) -> SettledStay:
        """Book a 2304 the journal holds answered, with the legs the platform took."""
        return self._book(stay, settled, tuple(leg_from_platform(leg) for leg in settled.payleg if leg.amount != 0))

    def _discharged(self, mdtrt_id: str, doing: str, instead: str) -> StayRecord:
        """The stay, discharged and unsettled as the stay book says — unless the journal holds its answered 2304
        (the till died after the reply, before the book heard): then it is booked now with its 出院结算单, as
        `recover` books it, and the step is refused (AlreadySettled) before anything is sent, as `revoke` refuses
        a second 2305 the journal already holds."""
        stay = self._in_state(mdtrt_id, "discharged", doing)
        answered = self._answered_settlement(mdtrt_id)
        if answered is None:
            return stay
        self._book_answered(stay, answered)
        raise AlreadySettled(f"住院 {mdtrt_id} 已结算（结算号 {answered.setl_id}）：本机在平台应答后中断，未及入账，"
                             f"现已按交易日志补记，请补打出院结算单；不能{doing}，{instead}")

    def _answered_settlement(self, mdtrt_id: str) -> Settlement | None:
        if self.recovery is None:
            return None
        for entry in self.recovery.journal.stay_settlements_in_effect():
            settled = Settlement.from_output(entry.reply, entry.msgid)
            if settled.mdtrt_id == mdtrt_id:
                return settled
        return None

    # -- look up --------------------------------------------------------------------------------
    def receipt(self, mdtrt_id: str) -> str:
        stay = self.stays.get(mdtrt_id)
        if not stay.receipt:
            raise InputError(f"住院 {mdtrt_id} 尚未结算，没有出院结算单")
        return stay.receipt + ("" if stay.state == "settled" else "（该结算已撤销）\n")

    def _in_state(self, mdtrt_id: str, wanted: str, doing: str) -> StayRecord:
        stay = self.stays.get(mdtrt_id)
        if stay.state != wanted:
            raise InputError(f"住院 {mdtrt_id} 当前为「{_STATE_NAMES[stay.state]}」，不能{doing}"
                             f"（须为「{_STATE_NAMES[wanted]}」）")
        return stay

    def _guarded(self, psn_no: str, send: Callable[[], Settlement]) -> Settlement:
        return self.recovery.guard(psn_no, send) if self.recovery else send()

    def _settle_data(self, stay: StayRecord, patient: Patient, choices: Choices) -> dict[str, Any]:
        return {"psn_no": stay.psn_no, "mdtrt_cert_type": patient.mdtrt_cert_type,
                "mdtrt_cert_no": patient.mdtrt_cert_no, "card_sn": patient.card_sn,
                "medfee_sumamt": stay_total(self.stays.fees(stay.mdtrt_id)),
                "psn_setlway": "01", "mdtrt_id": stay.mdtrt_id, "insutype": stay.insutype, "mid_setl_flag": "0",
                "acct_used_flag": "1" if choices.use_account else "0", "invono": ""}


_STATE_NAMES = {"admitted": "在院", "discharged": "已出院未结算", "settled": "已结算", "cancelled": "已取消入院"}


def _day_time(day: date, begntime: str) -> datetime:
    """When a day's batch of fees arose, unless the till says: noon, or the admission if that day began later."""
    return max(datetime.combine(day, datetime.min.time()).replace(hour=12), datetime.strptime(begntime, TIME))


def stay_total(fees: Sequence[StayFee]) -> Decimal:
    """What the stay's fees add up to (the medfee_sumamt 2303/2304 declare)."""
    return sum((fee.line.amt for fee in fees if not fee.deleted), ZERO)
