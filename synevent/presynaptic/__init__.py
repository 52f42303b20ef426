"""presynaptic."""
