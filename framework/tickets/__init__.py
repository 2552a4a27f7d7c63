"""Support tickets: opened from a flow's `ticket:` step (desk.py), kept in the ticket store
(framework/stores/tickets.py), worked by the business."""
