"""postsynaptic."""
