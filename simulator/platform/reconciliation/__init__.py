"""Reconciliation use cases: 3201 totals, 3202 detail, file upload and download (9101/9102)."""
