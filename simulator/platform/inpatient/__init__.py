"""Inpatient stays (住院, docs/domain.md §2.7): admission to discharge (stays.py), settlement (settle.py),
stored behind their own repository (repository.py)."""
