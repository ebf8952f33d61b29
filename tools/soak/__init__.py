"""The chaos soak (`make soak` = `python -m tools.soak`); till.py is one till process of it."""
