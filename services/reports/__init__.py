"""Staff reports (/stats, /export), the member service ledger, commendation points and the
public notice (公示). Figures are defined once, in docs/architecture.md under "Reports"."""
