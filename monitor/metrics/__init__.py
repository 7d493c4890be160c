"""Prometheus: the process instruments and the fleet collector."""
