"""`yibao-sim --help`: every option with its default (secrets and empty defaults left out), epilogs kept as written."""

from __future__ import annotations

import argparse

SECRET = {"admin_token"}  # a default read from the environment is never echoed


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (default in (None, "", [], False) or default is argparse.SUPPRESS or action.dest in SECRET
                or "%(default)" in text or not text):
            return text
        return f"{text} (default: %(default)s)"
