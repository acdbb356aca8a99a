"""monitor capability: arrives with its issue (see docs/architecture.md)."""
