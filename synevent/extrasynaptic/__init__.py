"""Volume transmission: transmitter from many terminals in a shared extrasynaptic space."""
