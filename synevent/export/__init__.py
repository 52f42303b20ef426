"""Writing runs to files: event logs, traces, summaries and NWB."""
