"""The composition root: the Bolt app, the HTTP server, Socket Mode and the scheduler."""
