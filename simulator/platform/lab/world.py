"""World loading: a scenario file (yibao-scenario/1) or a world file (yibao-world/1) into the store."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from simulator.domain.catalogue import CatalogueEntry
from simulator.domain.models import Binding, Institution, Person, Pool, Wallet
from simulator.domain.money import from_fen, parse_amount, to_fen
from simulator.domain.policy import parse_policy
from simulator.domain.records import FundsIn
from simulator.domain.refusals import BadWorld, DuplicatePerson, PlatformError, RequestRejected
from simulator.platform.catalogue.entries import parse_entry
from simulator.platform.catalogue.ops import MAPPING_REVIEW_MODES, SETTINGS, save_versioned
from simulator.platform.clock import parse_timestamp, stamp
from simulator.platform.deps import Deps
from simulator.platform.ports import UnitOfWork
from simulator.platform.profiles import load_profile

BINDING_STATES = ("active", "pending", "ended")


def _bad(message: str) -> RequestRejected:
    return BadWorld(message=message)


def _listed(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key) or []
    if not isinstance(value, list):
        raise _bad(f"{key} 必须是数组（政策名或政策对象）")
    return value


def _req(obj: dict[str, Any], key: str, where: str) -> Any:
    value = obj.get(key)
    if value is None or value == "":
        raise _bad(f"{where} 缺少字段 {key}")
    return value


def _money(raw: Any, where: str) -> int:
    try:
        return to_fen(parse_amount(raw, where))
    except RequestRejected as exc:
        raise _bad(exc.message) from None


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _day(raw: Any, where: str) -> str | None:
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(str(raw)).isoformat()
    except ValueError:
        raise _bad(f"{where} 日期格式错误：{raw!r}") from None


@dataclass
class WorldPlan:
    """A validated world, ready to insert."""

    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    institutions: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    bindings: list[dict[str, Any]] = field(default_factory=list)
    pools: list[dict[str, Any]] = field(default_factory=list)
    wallets: list[dict[str, Any]] = field(default_factory=list)
    catalogue: list[CatalogueEntry] = field(default_factory=list)
    inpatient: dict[str, tuple[int, int]] = field(default_factory=dict)  # handle -> (fund fen, stays) this year
    today: str | None = None
    mapping_review: str | None = None  # auto | manual (docs/protocol.md §6)


class WorldOps:
    """`POST /admin/world` and `--load`."""

    def __init__(self, deps: Deps) -> None:
        self.deps, self.store, self.clock, self.ids, self.fixtures = deps, deps.store, deps.clock, deps.ids, deps.fixtures

    def load_world(self, body: Any) -> dict[str, Any]:
        plan = self._parse_world(body)
        handles = [p["id"] for p in plan.people]
        serials = self.ids.serials("psn", len(handles))
        cards = self.ids.serials("card", len(handles))
        psn_nos = {h: self.ids.psn_no(p["insuplc"], s) for h, p, s in zip(handles, plan.people, serials, strict=True)}
        card_sn = {h: self.ids.card_sn(c) for h, c in zip(handles, cards, strict=True)}
        pool_ids = {p["id"]: f"GJ{self.ids.serial('pool'):014d}" for p in plan.pools}
        wallet_ids = {w["owner"]: f"QB{self.ids.serial('wallet'):014d}" for w in plan.wallets}
        with self.store.write() as uow:
            self._write_world(uow, plan, psn_nos, card_sn, pool_ids, wallet_ids)
        self.deps.forget_caches()
        if plan.today is not None:
            self.clock.set(parse_timestamp(plan.today), frozen=self.clock.frozen)
        self.deps.publish()
        return {"handles": psn_nos, "pools": pool_ids, "wallets": {h: wallet_ids[h] for h in wallet_ids},
                "institutions": [i["code"] for i in plan.institutions], "card_sn": card_sn}

    # parsing ---------------------------------------------------------------------------------
    def _parse_world(self, body: Any) -> WorldPlan:
        if not isinstance(body, dict):
            raise _bad("必须是 JSON 对象")
        fmt = body.get("format")
        if fmt not in ("yibao-scenario/1", "yibao-world/1"):
            raise _bad(f"未知格式 {fmt!r}（支持 yibao-scenario/1 与 yibao-world/1）")
        plan = WorldPlan()
        if body.get("today"):
            try:
                parse_timestamp(str(body["today"]))
            except ValueError:
                raise _bad(f"today 时间格式错误：{body['today']!r}") from None
            plan.today = str(body["today"])
        at = stamp(parse_timestamp(plan.today)) if plan.today else self.clock.stamp()  # the entries' updt_time
        if "mapping_review" in body:
            if body["mapping_review"] not in MAPPING_REVIEW_MODES:
                raise _bad(f"mapping_review 须为 {' / '.join(MAPPING_REVIEW_MODES)}：{body['mapping_review']!r}")
            plan.mapping_review = str(body["mapping_review"])
        if fmt == "yibao-scenario/1":
            name = self._add_policy(plan, _req(body, "policy", "场景"))
            for ref in _listed(body, "policies"):
                self._add_policy(plan, ref)
            inst = _req(body, "institution", "场景")
            plan.institutions.append(self._institution(inst, self._scenario_shop_policy(plan, inst, name)))
            checkout = body.get("checkout") or {}
            lines = list(checkout.get("lines") or [])
            for batch in checkout.get("batches") or []:  # a stay's fee batches (flow: inpatient)
                lines += (batch.get("lines") or []) if isinstance(batch, dict) else []
            items = {str(line.get("code")): line for line in reversed(lines) if isinstance(line, dict)
                     and line.get("insurable", True) is not False and "class" in line}  # a code billed twice: once
            plan.catalogue = [self._catalogue(line, at, cart=True) for line in reversed(items.values())]
            plan.catalogue += [self._catalogue(item, at) for item in _listed(body, "catalogue")]
        else:
            names = [self._add_policy(plan, p) for p in _listed(body, "policies")]
            default = names[0] if names else None
            for inst in body.get("institutions") or []:
                plan.institutions.append(self._institution(inst, self._inst_policy(plan, inst, default)))
            plan.catalogue = [self._catalogue(item, at) for item in _listed(body, "catalogue")]
        self._parse_people(plan, body)
        return plan

    def _add_policy(self, plan: WorldPlan, ref: Any) -> str:
        if isinstance(ref, dict):
            policy_obj = ref
        else:
            try:
                policy_obj = load_profile(ref, self.fixtures)
            except PlatformError as exc:
                raise _bad(exc.message) from None
        policy = parse_policy(policy_obj)
        plan.policies[policy.name] = policy_obj
        return policy.name

    def _scenario_shop_policy(self, plan: WorldPlan, inst: Any, patient_policy: str) -> str:
        """A scenario's `policy` is the patient's region's (docs/scenarios.md); the institution's own is the
        one it names, else the file's profile of its province (`admdvs`), else the patient's."""
        if isinstance(inst, dict) and inst.get("policy"):
            return self._inst_policy(plan, inst, None)
        admdvs = str(inst.get("admdvs") or "") if isinstance(inst, dict) else ""
        for name, body in plan.policies.items():
            if admdvs and str(body.get("province")) == admdvs[:2]:
                return name
        return patient_policy

    def _inst_policy(self, plan: WorldPlan, inst: dict[str, Any], default: str | None) -> str:
        ref = inst.get("policy") or default
        if ref is None:
            raise _bad(f"机构 {inst.get('code')} 未指定政策")
        return ref if ref in plan.policies else self._add_policy(plan, ref)

    @staticmethod
    def _institution(inst: Any, policy: str) -> dict[str, Any]:
        if not isinstance(inst, dict):
            raise _bad("institution 必须是对象")
        kind = str(_req(inst, "kind", "机构"))
        if kind not in ("hospital", "pharmacy"):
            raise _bad(f"机构类型 {kind!r} 无效")
        admdvs = str(_req(inst, "admdvs", "机构"))
        if len(admdvs) != 6 or not admdvs.isdigit():
            raise _bad(f"机构所在地 admdvs {admdvs!r} 须为 6 位数字")
        return {"code": str(_req(inst, "code", "机构")), "name": str(_req(inst, "name", "机构")), "kind": kind,
                "admdvs": admdvs, "level": str(inst.get("level") or "1"),
                "wallet_enabled": bool(inst.get("wallet_enabled", False)), "policy": policy}

    @staticmethod
    def _catalogue(item: Any, at: str, cart: bool = False) -> CatalogueEntry:
        """A catalogue entry from the world's `catalogue` (or, in a scenario, a class-annotated cart line)."""
        try:
            return parse_entry(item, at, cart=cart)
        except ValueError as exc:
            raise _bad(str(exc)) from None

    def _parse_people(self, plan: WorldPlan, body: dict[str, Any]) -> None:
        seen: set[str] = set()
        for raw in body.get("people") or []:
            person = self._person(raw)
            if person["id"] in seen:
                raise _bad(f"人员标识 {person['id']} 重复")
            seen.add(person["id"])
            plan.people.append(person)
            ytd = raw.get("ytd") or {}
            if ytd.get("inpatient_fund_paid") or ytd.get("inpatient_stays"):
                stays = ytd.get("inpatient_stays") or 0
                if not isinstance(stays, int) or isinstance(stays, bool) or stays < 0:
                    raise _bad(f"人员 {person['id']} ytd.inpatient_stays 须为非负整数")
                plan.inpatient[person["id"]] = (_money(ytd.get("inpatient_fund_paid") or "0.00", "ytd"), stays)
        certnos = [p["certno"] for p in plan.people]
        if len(set(certnos)) != len(certnos):
            raise _bad("同一文件中证件号码重复")
        ranks: set[tuple[str, int]] = set()
        for raw in body.get("bindings") or []:
            binding = self._binding(raw, seen)
            key = (binding["beneficiary"], binding["rank"])
            if key in ranks:
                raise _bad(f"{binding['beneficiary']} 的共济顺位 {binding['rank']} 重复")
            ranks.add(key)
            plan.bindings.append(binding)
        members: set[str] = set()
        for raw in body.get("pools") or []:
            pool = self._pool(raw, seen)
            if members & set(pool["members"]):
                raise _bad("一人只能加入一个家庭共济账户")
            members |= set(pool["members"])
            plan.pools.append(pool)
        for raw in body.get("wallets") or []:
            plan.wallets.append(self._wallet(raw, seen))

    @staticmethod
    def _person(raw: Any) -> dict[str, Any]:
        where = f"人员 {raw.get('id') if isinstance(raw, dict) else raw!r}"
        if not isinstance(raw, dict):
            raise _bad(f"{where} 必须是对象")
        insutype = str(_req(raw, "insutype", where))
        if insutype not in ("310", "390"):
            raise _bad(f"{where} 险种 {insutype} 无效（310/390）")
        status = str(raw.get("status") or "1")
        if status not in ("1", "2", "4"):
            raise _bad(f"{where} 参保状态 {status} 无效（1/2/4）")
        if insutype == "390" and raw.get("account") not in (None, ""):
            raise _bad(f"{where} 为居民医保（390），不能有个人账户")
        ytd = raw.get("ytd") or {}
        insuplc = str(_req(raw, "insuplc", where))
        if len(insuplc) != 6 or not insuplc.isdigit():
            raise _bad(f"{where} 参保地 {insuplc!r} 须为 6 位数字")
        return {
            "id": str(_req(raw, "id", where)), "name": str(_req(raw, "name", where)),
            "certno": str(_req(raw, "certno", where)), "gender": str(raw.get("gender") or "9"),
            "birthday": _day(_req(raw, "birthday", where), where), "insutype": insutype,
            "psn_type": str(_req(raw, "psn_type", where)), "insuplc": insuplc, "status": status,
            "has_account": insutype == "310",
            "balance_fen": _money(raw.get("account") or "0.00", f"{where}.account"),
            "ytd_dedc_fen": _money(ytd.get("deductible_used") or "0.00", f"{where}.ytd"),
            "ytd_fund_fen": _money(ytd.get("fund_paid") or "0.00", f"{where}.ytd"),
        }

    @staticmethod
    def _binding(raw: dict[str, Any], people: set[str]) -> dict[str, Any]:
        funder, beneficiary = str(_req(raw, "funder", "共济关系")), str(_req(raw, "beneficiary", "共济关系"))
        if funder not in people or beneficiary not in people:
            raise _bad(f"共济关系引用了未知人员 {funder}/{beneficiary}")
        if funder == beneficiary:
            raise _bad(f"{funder} 不能为本人共济")
        state = str(raw.get("state") or "active")
        if state not in BINDING_STATES:
            raise _bad(f"共济关系状态 {state!r} 无效")
        rank = raw.get("rank")
        if not isinstance(rank, int) or isinstance(rank, bool) or rank < 1:
            raise _bad(f"共济顺位 {rank!r} 无效")
        return {"funder": funder, "beneficiary": beneficiary, "rank": rank,
                "relation": str(raw.get("relation") or ""), "start_date": _day(raw.get("start"), "start"),
                "end_date": _day(raw.get("end"), "end"), "state": state}

    @staticmethod
    def _pool(raw: dict[str, Any], people: set[str]) -> dict[str, Any]:
        creator = str(_req(raw, "creator", "家庭共济账户"))
        members = [str(m) for m in raw.get("members") or []]
        if creator not in people or any(m not in people for m in members):
            raise _bad(f"家庭共济账户 {raw.get('id')} 引用了未知人员")
        return {"id": str(_req(raw, "id", "家庭共济账户")), "creator": creator, "members": members,
                "balance_fen": _money(raw.get("balance") or "0.00", "pool.balance")}

    @staticmethod
    def _wallet(raw: dict[str, Any], people: set[str]) -> dict[str, Any]:
        owner = str(_req(raw, "owner", "医保钱包"))
        if owner not in people:
            raise _bad(f"医保钱包引用了未知人员 {owner}")
        return {"owner": owner, "balance_fen": _money(raw.get("balance") or "0.00", "wallet.balance"),
                "status": str(raw.get("status") or "active")}

    # writing ---------------------------------------------------------------------------------
    def _write_world(self, uow: UnitOfWork, plan: WorldPlan, psn_nos: dict[str, str], card_sn: dict[str, str],
                     pool_ids: dict[str, str], wallet_ids: dict[str, str]) -> None:
        clash = uow.persons.existing_certnos([p["certno"] for p in plan.people])
        if clash:
            raise DuplicatePerson(clash=', '.join(sorted(clash)))
        for name, body in plan.policies.items():
            uow.reference.save_policy(name, json.dumps(body, ensure_ascii=False))
        for inst in plan.institutions:
            uow.reference.save_institution(Institution(**inst))
        save_versioned(uow.catalogue, plan.catalogue)
        if plan.mapping_review is not None:
            uow.reference.set_handles(SETTINGS, {"mapping_review": plan.mapping_review})
        people = [Person(id=0, psn_no=psn_nos[p["id"]], name=p["name"], certno=p["certno"], gender=p["gender"],
                         birthday=date.fromisoformat(p["birthday"]), insutype=p["insutype"], psn_type=p["psn_type"],
                         insuplc=p["insuplc"], status=p["status"],
                         balance=from_fen(p["balance_fen"]) if p["has_account"] else None,
                         ytd_deductible_used=from_fen(p["ytd_dedc_fen"]), ytd_fund_paid=from_fen(p["ytd_fund_fen"]),
                         card_sn=card_sn[p["id"]]) for p in plan.people]
        row_ids = uow.persons.add_all(people)
        ids = {p["id"]: row_ids[psn_nos[p["id"]]] for p in plan.people}
        year = parse_timestamp(plan.today).year if plan.today else self.clock.today().year
        for handle, (fund_fen, stays) in plan.inpatient.items():  # docs/domain.md §2.7: this year's stays so far
            uow.stays.add_to_year(ids[handle], year, fund_fen, stays)
        at = self.clock.stamp()
        loads = [FundsIn("load", "account", psn_nos[p["id"]], p["balance_fen"], at)
                 for p in plan.people if p["has_account"] and p["balance_fen"]]
        uow.bindings.add_all([Binding(0, ids[b["funder"]], ids[b["beneficiary"]], b["rank"], b["relation"],
                                      _date(b["start_date"]), _date(b["end_date"]), b["state"])
                              for b in plan.bindings])
        for pool in plan.pools:
            uow.pools.add(Pool(0, pool_ids[pool["id"]], ids[pool["creator"]], from_fen(pool["balance_fen"])),
                          [ids[m] for m in pool["members"]])
            loads.append(FundsIn("load", "pool", pool_ids[pool["id"]], pool["balance_fen"], at))
        for wallet in plan.wallets:
            uow.wallets.add(Wallet(0, wallet_ids[wallet["owner"]], ids[wallet["owner"]],
                                   from_fen(wallet["balance_fen"]), wallet["status"]))
            loads.append(FundsIn("load", "wallet", wallet_ids[wallet["owner"]], wallet["balance_fen"], at))
        uow.balances.add_funds_in([row for row in loads if row.amount_fen])
        uow.reference.set_handles("person", psn_nos)
        uow.reference.set_handles("pool", pool_ids)
