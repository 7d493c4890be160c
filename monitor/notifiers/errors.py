"""The one exception a sender raises: this attempt failed, try again later."""


class DeliveryError(Exception):
    """A message could not be delivered now; the text is safe to store (no secrets, no URLs).

    `server_down` says the failure is not this message's destination but the channel's server
    (the mail relay refuses connections or logins), so the channel's other messages wait too.
    """

    def __init__(self, message: str, *, server_down: bool = False) -> None:
        super().__init__(message)
        self.server_down = server_down
