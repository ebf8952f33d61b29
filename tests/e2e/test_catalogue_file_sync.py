"""A large catalogue at the till (docs/protocol.md §6): the first download goes by file (one per list type,
130x then 9102) instead of hundreds of pages, the book it leaves is exactly what paging 1312/1318/1319 leaves,
and later syncs fetch only what changed, by page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_world import scenario

from pos_plugin.catalogue import CatalogueBook, sync_catalogue
from pos_plugin.lab.sim_admin import SimulatorAdmin

LIST_TYPES = ("101", "102", "103", "201", "301")
SIZE = 1500  # big enough for 6 pages of 250 per stream; small enough to load in about a second


def large_catalogue() -> list[dict[str, Any]]:
    out = []
    for n in range(SIZE):
        entry: dict[str, Any] = {"code": f"X{n:05d}", "name": f"目录项{n}", "class": "ABC"[n % 3],
                                 "list_type": LIST_TYPES[n % 5]}
        if n % 3 == 1:
            entry["selfpay_prop"] = f"0.{n % 9 + 1}"
        if n % 7 == 0:
            entry["price_cap"] = f"{n % 50 + 1}.50"
        out.append(entry)
    return out


class Counted:
    """The terminal's real platform client, counting the transactions it sends."""

    def __init__(self, client: Any) -> None:
        self.client, self.sent = client, []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def call(self, infno: str, payload: Any, *args: Any, **kwargs: Any) -> Any:
        self.sent.append(infno)
        return self.client.call(infno, payload, *args, **kwargs)

    def download_file(self, **kwargs: Any) -> bytes:
        self.sent.append("9102")
        return bytes(self.client.download_file(**kwargs))


@pytest.fixture(scope="module")
def shop(sim_url: str) -> Iterator[tuple[SimulatorAdmin, dict[str, Any]]]:
    scen = scenario("own-account-covers-everything")
    scen["catalogue"] = large_catalogue()
    admin = SimulatorAdmin(sim_url)
    admin.reset()
    admin.load_world(scen)
    yield admin, scen
    admin.close()


def held(book: CatalogueBook) -> dict[str, Any]:
    codes = [f"X{n:05d}" for n in range(SIZE)] + ["D4001", "D4002"]
    return book.entries(codes)


def test_a_first_download_of_a_large_catalogue_goes_by_file_and_equals_paging(shop: Any, make_terminal: Any,
                                                                              tmp_path: Path) -> None:
    admin, scen = shop
    by_file = make_terminal(scen, "T1")
    counted = Counted(by_file.client)
    first = sync_catalogue(counted, by_file.catalogue, page_size=250)  # type: ignore[arg-type]
    assert (first.files, first.fetched, first.total) == (5, SIZE + 2, SIZE + 2)
    assert counted.sent.count("9102") == 5 and len(counted.sent) == 1 + 10 + 3  # probe, 5 files, one empty page
    paged = CatalogueBook(tmp_path / "paged.sqlite")
    try:
        pager = Counted(by_file.client)
        again = sync_catalogue(pager, paged, page_size=250, by_file=False)  # type: ignore[arg-type]
        assert again.files == 0 and again.pages == 7 and len(pager.sent) == 3 * 7  # 1312 + 1318 + 1319 a page
        assert held(paged) == held(by_file.catalogue) and len(held(paged)) == SIZE + 2
        assert paged.version() == by_file.catalogue.version()
    finally:
        paged.close()
    entry = held(by_file.catalogue)["X00007"]
    assert (entry.cls, str(entry.selfpay_prop), str(entry.price_cap)) == ("B", "0.8", "8.50")
    admin.advance_clock(120)
    admin.update_catalogue([{"code": "X00007", "name": "目录项7", "class": "B", "selfpay_prop": "0.25",
                             "list_type": "103"}])
    counted.sent.clear()
    later = sync_catalogue(counted, by_file.catalogue, page_size=250)  # type: ignore[arg-type]
    assert (later.files, later.fetched) == (0, 1) and "9102" not in counted.sent
    entry = held(by_file.catalogue)["X00007"]
    assert (str(entry.selfpay_prop), entry.price_cap) == ("0.25", None)
