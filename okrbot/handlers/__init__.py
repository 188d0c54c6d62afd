"""Platform-neutral use cases and rules: plain functions on a session, returning data."""
