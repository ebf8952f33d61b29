"""The one catalogue lookup of every flow that splits fee lines (2101/2102, 2204, inpatient fee lines)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from simulator.domain.catalogue import LineCatalogue, resolve_codes
from simulator.platform.catalogue.repository import CatalogueRepository


def line_catalogue(repo: CatalogueRepository, codes: Iterable[str], today: date) -> LineCatalogue:
    """Each code's entry on `today` (docs/domain.md §2.2): unknown or out-of-date codes split as 丙 with a
    warning, or are refused (`ERR_LIST_CODE_REFUSED`) where their entry says so."""
    wanted = list(codes)
    return resolve_codes(repo.entries(wanted), wanted, today.isoformat())
