"""Adapters for the outside platforms and the simulator that stands in for them."""
