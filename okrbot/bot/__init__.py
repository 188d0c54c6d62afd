"""Adapters and the composition root: config, CLI, HTTP server, Slack app, scheduler."""
