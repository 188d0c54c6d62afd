"""The Slack adapter: listeners and Block Kit builders."""
