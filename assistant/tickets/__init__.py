"""Customer-service tickets: reading them from files (CSV, JSONL, e-mail) and importing them."""
