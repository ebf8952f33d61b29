"""What the typed wrappers return: small frozen dataclasses over the platform's nodes, amounts as Decimal.

The nodes keep the platform's field names (docs/protocol.md §3) so nothing is lost; properties give the
few values the checkout reads most.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pos_plugin.errors import BadReply
from pos_plugin.platform import wire

# The setlinfo figures a settlement reports (docs/protocol.md §3), in the order the plugin shows them:
# `pos-plugin checkout --json`, the agent's answers and the scenario files' `expect.setlinfo`.
SETLINFO_FIELDS = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
                   "act_pay_dedc", "hifp_pay", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "acct_mulaid_pay",
                   "wallet_pay", "psn_cash_pay")


@dataclass(frozen=True)
class PayLeg:
    """One leg of the payer chain as the platform reports it (⊕ payleg[]); revokes carry negated amounts."""

    source: str  # own | funder | pool | wallet
    amount: Decimal
    rank: int | None = None
    psn_no: str = ""
    name: str = ""
    pool_id: str = ""

    @classmethod
    def from_wire(cls, node: Mapping[str, Any]) -> PayLeg:
        rank = node.get("rank")
        return cls(
            source=str(node.get("source", "")),
            amount=wire.to_money(node.get("amount"), "payleg.amount"),
            rank=int(rank) if rank not in (None, "") else None,
            psn_no=str(node.get("psn_no") or ""),
            name=str(node.get("name") or ""),
            pool_id=str(node.get("pool_id") or ""),
        )

    def to_wire(self) -> dict[str, Any]:
        """The leg as a payplan entry of 2102/2207 exp_content."""
        entry: dict[str, Any] = {"source": self.source, "amount": self.amount}
        if self.rank is not None:
            entry["rank"] = self.rank
        if self.psn_no:
            entry["psn_no"] = self.psn_no
        if self.pool_id:
            entry["pool_id"] = self.pool_id
        return entry


@dataclass(frozen=True)
class Settlement:
    """The output of 2101/2102/2206/2207/2103/2208/5203; `msgid` is the request's."""

    setlinfo: dict[str, Any]
    setldetail: list[dict[str, Any]] = field(default_factory=list)
    payleg: list[PayLeg] = field(default_factory=list)
    detlcutinfo: list[dict[str, Any]] = field(default_factory=list)
    msgid: str = ""
    payleg_reported: bool = False  # False: a platform without the ⊕ payleg extension (only totals to compare)

    @classmethod
    def from_output(cls, output: Mapping[str, Any], msgid: str = "") -> Settlement:
        setlinfo = output.get("setlinfo")
        if not isinstance(setlinfo, dict):
            raise BadReply("结算应答缺少 setlinfo")
        return cls(
            setlinfo=setlinfo,
            setldetail=list(output.get("setldetail") or []),
            payleg=[PayLeg.from_wire(leg) for leg in output.get("payleg") or []],
            payleg_reported="payleg" in output,
            detlcutinfo=list(output.get("detlcutinfo") or []),
            msgid=msgid,
        )

    @property
    def setl_id(self) -> str:
        return str(self.setlinfo.get("setl_id") or "")

    @property
    def mdtrt_id(self) -> str:
        return str(self.setlinfo.get("mdtrt_id") or "")

    @property
    def psn_no(self) -> str:
        return str(self.setlinfo.get("psn_no") or "")

    def amount(self, name: str) -> Decimal:
        """A setlinfo amount (0.00 when the platform left it out)."""
        value = self.setlinfo.get(name)
        return wire.to_money(value, name) if value not in (None, "") else Decimal("0.00")


@dataclass(frozen=True)
class PersonInfo:
    """1101: baseinfo, insuinfo[] (balc on the 310 row), idetinfo[], ⊕ mulaidinfo[], ⊕ walletinfo."""

    baseinfo: dict[str, Any]
    insuinfo: list[dict[str, Any]]
    idetinfo: list[dict[str, Any]] = field(default_factory=list)
    mulaidinfo: list[dict[str, Any]] = field(default_factory=list)
    walletinfo: dict[str, Any] | None = None

    @classmethod
    def from_output(cls, output: Mapping[str, Any]) -> PersonInfo:
        baseinfo = output.get("baseinfo")
        if not isinstance(baseinfo, dict) or not baseinfo.get("psn_no"):
            raise BadReply("人员信息应答缺少 baseinfo.psn_no")
        return cls(
            baseinfo=baseinfo,
            insuinfo=list(output.get("insuinfo") or []),
            idetinfo=list(output.get("idetinfo") or []),
            mulaidinfo=sorted(output.get("mulaidinfo") or [], key=lambda row: int(row.get("rank") or 0)),
            walletinfo=output.get("walletinfo") or None,
        )

    @property
    def psn_no(self) -> str:
        return str(self.baseinfo["psn_no"])

    def insurance(self, insutype: str | None = None) -> dict[str, Any]:
        """The insuinfo row of `insutype` (or the first row); BadReply when there is none."""
        for row in self.insuinfo:
            if insutype is None or str(row.get("insutype")) == insutype:
                return row
        raise BadReply(f"人员信息中没有险种 {insutype or ''} 的参保记录")


@dataclass(frozen=True)
class Registration:
    """2201: the visit the outpatient transactions hang on."""

    mdtrt_id: str
    psn_no: str
    ipt_otp_no: str


@dataclass(frozen=True)
class EcodeIdentity:
    """The e-voucher decode result; `ec_token` is then mdtrt_cert_no with mdtrt_cert_type 01."""

    id_no: str
    id_type: str
    user_name: str
    ec_token: str
    insu_org: str
    ec_index_no: str = ""
    gender: str = ""
    birthday: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> EcodeIdentity:
        if not data.get("ecToken"):
            raise BadReply("电子凭证解码应答缺少 ecToken")
        return cls(
            id_no=str(data.get("idNo") or ""),
            id_type=str(data.get("idType") or ""),
            user_name=str(data.get("userName") or ""),
            ec_token=str(data["ecToken"]),
            insu_org=str(data.get("insuOrg") or ""),
            ec_index_no=str(data.get("ecIndexNo") or ""),
            gender=str(data.get("gender") or ""),
            birthday=str(data.get("birthday") or ""),
        )


@dataclass(frozen=True)
class StatementResult:
    """3201: `stmt_rslt` 0 balanced, 1 not."""

    setl_optins: str
    stmt_rslt: str
    stmt_rslt_dscr: str

    @property
    def balanced(self) -> bool:
        return self.stmt_rslt == "0"


@dataclass(frozen=True)
class FileInfo:
    """3202 / 9101: where the detail reconciliation file can be downloaded (9102)."""

    file_qury_no: str
    filename: str
    dld_endtime: str = ""


@dataclass(frozen=True)
class ReconRecord:
    """One record of detail reconciliation: a settlement, or (refd_setl_flag 1) a revocation with negated
    amounts under the revocation's own setl_id."""

    setl_id: str
    mdtrt_id: str
    psn_no: str
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    acct_pay: Decimal
    refd_setl_flag: str = "0"

    @property
    def cash_payamt(self) -> Decimal:
        """What the patient paid outside the fund and the account (cash and wallet)."""
        return self.medfee_sumamt - self.fund_pay_sumamt - self.acct_pay


@dataclass(frozen=True)
class ReconTotals:
    """The sums 3201/3202 declare for a period."""

    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    acct_pay: Decimal
    cash_payamt: Decimal
    count: int

    @classmethod
    def of(cls, records: list[ReconRecord]) -> ReconTotals:
        zero = Decimal("0.00")
        return cls(sum((r.medfee_sumamt for r in records), zero), sum((r.fund_pay_sumamt for r in records), zero),
                   sum((r.acct_pay for r in records), zero), sum((r.cash_payamt for r in records), zero), len(records))


@dataclass(frozen=True)
class DetailRow:
    """One line of the platform's 3202 result file: a record and how it compared."""

    record: ReconRecord
    result: str  # 0 match, 1 only the institution has it, 2 only the platform, 3 both but different
    result_name: str

    @property
    def matches(self) -> bool:
        return self.result == "0"


@dataclass(frozen=True)
class DetailOutcome:
    """3202: whether the detail balanced, the platform's counts per result code and its result file."""

    stmt_rslt: str
    counts: dict[str, int]
    fileinfo: FileInfo

    @property
    def balanced(self) -> bool:
        return self.stmt_rslt == "0"

    @property
    def uploaded(self) -> bool:
        return bool(self.fileinfo.file_qury_no)

    @classmethod
    def nothing_to_check(cls) -> DetailOutcome:
        """No record in the group (every sale revoked): nothing is uploaded (the platform refuses an empty
        file); the group's 3201 already compared the zero count and sums with the platform's."""
        return cls("0", {}, FileInfo("", ""))
