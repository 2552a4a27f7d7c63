"""Lets pytest collect the YAML conversation tests of every bot (bots/*/tests/*.yaml)."""

pytest_plugins = ["framework.flows.pytest_plugin"]
