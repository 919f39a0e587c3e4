"""Slack at the edge: the Web API client, its errors, posting, and reading members."""
