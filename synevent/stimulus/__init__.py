"""stimulus."""
