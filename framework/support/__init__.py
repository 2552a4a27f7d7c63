"""The business's side of support: working tickets from the terminal (`theke tickets`), and
where the admin API and the agent inbox for tickets and handoffs grow."""
