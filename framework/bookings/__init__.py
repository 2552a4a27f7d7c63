"""Appointments: services, resources, availability, holds and bookings in the chat."""

__all__: list[str] = []
