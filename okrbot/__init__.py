"""okrbot: OKRs and KPIs in one place, in the chat where people already work."""
