"""cleft."""
