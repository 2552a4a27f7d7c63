"""The business writes first: the notify API and `theke notify` (notifications to the
conversations holding a topic's consent). Apart from framework/consents, which the action
runners and the runtime import, so that neither needs the other's dependencies."""

__all__: list[str] = []
