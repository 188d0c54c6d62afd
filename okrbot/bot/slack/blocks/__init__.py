"""Block Kit builders: small pure functions from neutral data to Slack's JSON."""
