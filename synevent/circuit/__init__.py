"""Circuits: presynaptic sources, synapses and postsynaptic neurons in one simulation."""
