"""Building the bot's consent rules (`consents:` in bot.yaml) from their schema-valid YAML:

consents:
  double_opt_in: [marketing]   # true: every purpose; or the kinds: marketing, notify
  confirm_within: 24h          # a yes is confirmed within this, or it lapses
"""

from __future__ import annotations

from typing import Final

from framework.flows.language.sections import duration
from framework.flows.language.yaml_loader import PosDict
from framework.flows.model import ConsentRules

__all__ = ["KINDS", "build_consent_rules"]

KINDS: Final = frozenset({"marketing", "notify"})
"""The kinds of purpose: `marketing`, and `notify` for every `notify:<topic>`."""


def build_consent_rules(spec: PosDict | None) -> ConsentRules:
    spec = spec or PosDict()
    double = spec.get("double_opt_in", False)
    kinds = KINDS if double is True else frozenset(double or ()) & KINDS
    within = spec.get("confirm_within")
    return ConsentRules(
        double_opt_in=frozenset(kinds),
        confirm_within=duration(within) if within else ConsentRules().confirm_within,
    )
