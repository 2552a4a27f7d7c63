"""pytest collects the YAML conversation tests without flags or a conftest: the plugin is a
`pytest11` entry point of the installed package."""

from importlib.metadata import entry_points


def test_the_conversation_plugin_is_a_pytest_entry_point() -> None:
    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert plugins.get("theke") == "framework.testing.pytest_plugin"
