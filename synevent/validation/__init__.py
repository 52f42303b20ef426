"""Validation cases: published experiments the presets must reproduce, runnable by users."""
