"""The services: the only place that strings the edges (Slack, GitHub, SQLite) together."""
