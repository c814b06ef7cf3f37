"""Scheduler plugins of the default profile (volume and DRA plugins are out of scope)."""
