"""One customer's data across every store: export it (GDPR article 15) and erase it (article 17).
See data.py for what each store holds and what erasure does there, docs/contacts.md for why."""
