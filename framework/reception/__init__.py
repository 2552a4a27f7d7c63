"""The business's side of bookings: the admin API and the calendar links (web.py), `theke
bookings` (cli.py), and the bookings of a served workspace with their background look
(setup.py). Apart from framework/bookings, which the action runners import, so that neither
room needs the other's dependencies (as framework/support is to framework/tickets)."""

__all__: list[str] = []
