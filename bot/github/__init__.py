"""GitHub at the edge: the wire (transport), the GraphQL text (queries), JSON → models (parse)
and the `fetch_*` client the services call."""

from bot.github.client import GitHubClient

__all__ = ["GitHubClient"]
