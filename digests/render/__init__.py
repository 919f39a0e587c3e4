"""Renderers: the digest as Block Kit and Markdown, its charts, and every other view."""
