"""The one exception a sender raises: this attempt failed, try again later."""


class DeliveryError(Exception):
    """A message could not be delivered now; the text is safe to store (no secrets, no URLs)."""
