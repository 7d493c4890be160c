"""Prometheus: the fleet collector that reads current state at every scrape."""
