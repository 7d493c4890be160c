"""Crew notifications: a durable outbox, webhook and email senders, and the delivery loop."""
