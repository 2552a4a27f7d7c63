"""Every persistent kind behind a small protocol, with a backend per folder.

- `session_store.Store`: sessions, their inboxes, leases, conversation logs, timers and results
  (what makes turns exactly-once); `records.py` holds what it keeps.
- `order_store.OrderStore`: the business's orders.
- `outbox.Outbox`: business events waiting for the business's endpoints, in order per stream.
- `tickets.TicketStore`: support tickets, numbered per bot, with their history;
  `ticket_rules.py` holds the status rules and limits every backend applies.
- `handoffs.HandoffStore`: the human handoff's queue per bot and the conversations agents
  hold, claimed atomically; `handoff_rules.py` holds its rules and limits.
- `agents.AgentStore`: the workspace's agent accounts (passwords as scrypt hashes,
  `agent_passwords.py`), their sign-in sessions and the sign-in throttle; `agent_rules.py`
  holds its rules and limits.
- `bookings.BookingStore`: appointments and holds on a bot's resources, no overlap enforced
  when a time is taken, expiry and reminders handed out once; `booking_rules.py` and
  `booking_checks.py` hold its rules and limits.
- `consents.ConsentStore`: the consent ledger (grants and withdrawals as they happened, the
  holders of a purpose page by page, STOP as one step); `consent_rules.py`.
- `broadcasts.BroadcastStore`: marketing broadcasts, their cursor and counts, a worker's lease.
- `reach.ReachStore`: whom a bot's broadcasts reached: the marketing each contact got, WhatsApp's
  holds (131049), the unique customers of a moving day per channel, taken atomically.

Backends: `memory/` (the reference and the test double), `sqlite/` (the embedded default, one
process) and `redis/` (many processes on many machines, Cluster-safe keys). `opening.py` opens
a deployment's stores from its one URL. One contract suite per protocol runs over every backend
(tests/runtime/test_store_contract.py, tests/payments/test_order_store.py,
tests/events/test_outbox_store.py, tests/stores/test_ticket_store.py,
tests/stores/test_handoff_store.py, tests/stores/test_agent_store.py,
tests/stores/test_booking_store.py, tests/stores/test_consent_store.py,
tests/stores/test_broadcast_store.py, tests/stores/test_reach_store.py; their shared opener:
tests/stores/contract.py).
"""

from framework.stores.agents import AgentError, AgentStore
from framework.stores.handoffs import HandoffError, HandoffStore
from framework.stores.opening import (
    StoreURL,
    open_agents,
    open_handoffs,
    open_orders,
    open_outbox,
    open_store,
    open_tickets,
    store_kind,
)
from framework.stores.order_store import OrderStore
from framework.stores.outbox import Outbox
from framework.stores.session_store import Store, StoreError
from framework.stores.tickets import TicketError, TicketStore

__all__ = [
    "AgentError",
    "AgentStore",
    "HandoffError",
    "HandoffStore",
    "OrderStore",
    "Outbox",
    "Store",
    "StoreError",
    "StoreURL",
    "TicketError",
    "TicketStore",
    "open_agents",
    "open_handoffs",
    "open_orders",
    "open_outbox",
    "open_store",
    "open_tickets",
    "store_kind",
]
