"""The one catalogue lookup of every flow that splits fee lines (2101/2102, 2204, inpatient fee lines), and the
one check of the 目录对照 those lines name."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from simulator.domain.catalogue import CHK_STAS, LineCatalogue, resolve_codes
from simulator.domain.models import FeeLine
from simulator.domain.refusals import MappingUnapproved
from simulator.platform.catalogue.repository import CatalogueRepository


def line_catalogue(repo: CatalogueRepository, codes: Iterable[str], today: date) -> LineCatalogue:
    """Each code's entry on `today` (docs/domain.md §2.2): unknown or out-of-date codes split as 丙 with a
    warning, or are refused (`ERR_LIST_CODE_REFUSED`) where their entry says so."""
    wanted = list(codes)
    return resolve_codes(repo.entries(wanted), wanted, today.isoformat())


def check_mapped(repo: CatalogueRepository, fixmedins_code: str, lines: Sequence[FeeLine]) -> None:
    """A line naming the institution's own item code (`medins_list_codg`) that it mapped with 3301 may be billed
    only once the platform approved the mapping (docs/protocol.md §6): 待审核 or 审核不通过 is refused
    (`ERR_MAPPING_UNAPPROVED`). A line whose `medins_list_codg` is no mapped item (a till without mappings, or
    sending the insurance code there) is split by its `med_list_codg` as before."""
    named = [line for line in lines if line.medins_code and line.medins_code != line.code]
    found = repo.mappings_for(fixmedins_code, (line.medins_code for line in named)) if named else {}
    for line in named:
        mapping = found.get(line.medins_code)
        if mapping is not None and not mapping.approved:
            state = CHK_STAS[mapping.chk_stas] + (f"（{mapping.chk_memo}）" if mapping.chk_memo else "")
            raise MappingUnapproved(here=f"明细 {line.feedetl_sn}", fixmedins_hilist_id=line.medins_code,
                                    state=state)
