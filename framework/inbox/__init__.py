"""The agent inbox: the web page where a business's people take conversations over and answer
tickets, at /inbox.

- auth.py: signing in and out (the session cookie, the CSRF token every change carries)
- pages.py: the HTML pages (the queue and the agent's conversations, a conversation, tickets)
- views.py: what a page shows, read from the stores (a conversation's slots and cart: the
  session store's `peek`, without a lease)
- actions.py: claim, write, set a slot, change the cart, return, close; a ticket's reply, note
  and status
- hub.py and live.py: live updates, one in-process hub and the page's WebSocket
- setup.py: the routes and the hub's lifetime, wired into the app by framework/app.py
"""
