"""Request and response bodies of the invitations routes."""
