"""Request and response bodies of the experts routes."""
