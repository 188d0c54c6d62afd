"""Tables, sessions, queries and migrations. No Slack, no HTTP."""
