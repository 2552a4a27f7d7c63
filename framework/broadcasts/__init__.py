"""Marketing broadcasts and a topic's news to every conversation that agreed to hear them:
the service (create, preview, send, pause, resume, cancel) and the sending loop that hands out
the notices page by page, paced per channel (docs/broadcasts.md)."""
