"""World loading, admin top-ups and the memory store's own transaction rules (a refusal or a request left
uncommitted changes nothing)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from desk import Desk, account, conserved, world

from simulator.domain.catalogue import MappingRecord
from simulator.domain.refusals import (
    BadAmount,
    BadWorld,
    DuplicatePerson,
    ListCodeUnknown,
    MappingUnknown,
    NoAccount,
    PoolUnknown,
)
from simulator.memory import memory_platform
from simulator.platform.service import Platform


def test_a_world_loads_people_handles_and_money_in(platform: Platform, desk: Desk) -> None:
    assert platform.admin.conservation()["loaded"] == "2210.00" and conserved(platform)
    assert desk.person("kid").balance is None and desk.person("pat").ytd_deductible_used == Decimal("650.00")
    assert platform.today().isoformat() == "2026-05-10"


def test_a_world_naming_a_loaded_certno_again_is_refused_whole(platform: Platform) -> None:
    before = platform.admin.balances()
    fresh = {**world()["people"][1], "id": "new", "certno": "610103199909099999"}
    again = world(people=[fresh, world()["people"][0]], bindings=[], wallets=[])  # pat's certno is taken
    with pytest.raises(DuplicatePerson):
        platform.world.load_world(again)
    assert platform.admin.balances() == before
    with pytest.raises(BadWorld):
        platform.world.load_world({"format": "yibao-world/2"})


def test_top_ups_enter_the_books(platform: Platform, desk: Desk) -> None:
    platform.admin.top_up("account", desk.psn("pat"), Decimal("5.50"))
    platform.admin.top_up("wallet", desk.psn("kid"), Decimal("1.00"))
    assert account(platform, "pat") == "25.50" and platform.admin.conservation()["topups"] == "6.50"
    for target, ref, amount, refusal in (("account", desk.psn("kid"), "1.00", NoAccount),
                                         ("pool", "GJ0", "1.00", PoolUnknown),
                                         ("account", desk.psn("pat"), "0.00", BadAmount)):
        with pytest.raises(refusal):
            platform.admin.top_up(target, ref, Decimal(amount))
    assert conserved(platform)


def test_a_reset_empties_the_memory_store_and_restarts_the_ids() -> None:
    first, second = memory_platform(), memory_platform()
    one = first.world.load_world(world())["handles"]
    first.admin.reset()
    assert first.admin.balances() == {"accounts": {}, "pools": {}, "wallets": {}}
    assert first.world.load_world(world())["handles"] == one == second.world.load_world(world())["handles"]


def test_a_request_left_uncommitted_is_rolled_back_and_a_committed_one_stays(platform: Platform,
                                                                            desk: Desk) -> None:
    with platform.deferred_commit():
        desk.pharmacy("pat", ("A001", "1", "5.00"))
        assert account(platform, "pat") == "15.00"  # the request sees its own writes
    assert account(platform, "pat") == "20.00" and platform.admin.settlements(None) == []
    with platform.deferred_commit() as pending:
        desk.pharmacy("pat", ("A001", "1", "5.00"))
        pending.commit()
    assert account(platform, "pat") == "15.00" and conserved(platform)


def test_the_catalogue_is_queried_by_update_time_and_mapped_by_each_institution(platform: Platform,
                                                                              desk: Desk) -> None:
    page = platform.catalogue.query(desk.meta("1312"), "2000-01-01 00:00:00", 1, 2)
    assert (page.total, page.pages, [e.code for e in page.entries]) == (3, 2, ["A001", "B001"])
    row = MappingRecord(desk.code, "ITEM1", "本店阿莫西林", "101", "A001", "2026-01-01", None, "2026-05-10 10:00:00")
    assert platform.catalogue.map_items(desk.meta("3301"), [row]) == (1, "1")  # approved at once (auto review)
    with pytest.raises(ListCodeUnknown):
        platform.catalogue.map_items(desk.meta("3301"), [replace(row, fixmedins_hilist_id="X", med_list_codg="Z9")])
    assert platform.catalogue.mappings(desk.code) == [replace(row, chk_stas="1", reviewed_at=row.uploaded_at)]
    platform.catalogue.unmap_item(desk.meta("3302"), "ITEM1")
    with pytest.raises(MappingUnknown):
        platform.catalogue.unmap_item(desk.meta("3302"), "ITEM1")
    assert platform.catalogue.mappings(desk.code) == []
