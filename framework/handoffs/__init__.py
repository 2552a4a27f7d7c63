"""A person takes a conversation over: the queue in the store, agents claiming, writing and
handing back (service.py); the engine's side is framework/flows/handoff.py."""
