"""The flow language: YAML files → a checked model. The reader (with the YAML loader that
remembers positions and the sections of bot.yaml), the compiler of flow steps, the checker,
the JSON Schema editors validate with, the framework's defaults, and the graph of a bot's
flows. It builds the model (`framework.flows.model`, `steps`); the interpreter never imports
it."""

__all__: list[str] = []
