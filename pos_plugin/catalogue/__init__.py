"""The insurance catalogue at the till: downloaded (1312) into the terminal's store, the pharmacy's own item
codes mapped to insurance codes (3301), and carts planned from it (docs/protocol.md §6, README)."""

from pos_plugin.catalogue.book import CatalogueBook, CatalogueEntry, ItemMapping
from pos_plugin.catalogue.cart import resolve_cart
from pos_plugin.catalogue.sync import (
    MappingReview,
    SyncResult,
    fetch_reviews,
    load_mapping_file,
    sync_catalogue,
    upload_mappings,
)

__all__ = ["CatalogueBook", "CatalogueEntry", "ItemMapping", "MappingReview", "SyncResult", "fetch_reviews",
           "load_mapping_file", "resolve_cart", "sync_catalogue", "upload_mappings"]
