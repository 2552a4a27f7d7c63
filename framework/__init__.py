"""Theke: conversational commerce with YAML flows."""

from framework.errors import FlowError, MoneyError, ThekeError

__all__ = ["FlowError", "MoneyError", "ThekeError"]
__version__ = "0.1.0"
