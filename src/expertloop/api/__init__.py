"""The JSON API under ``/api/v1``: ``router.api_router`` gathers the routes; ``schemas`` holds the
bodies (the SDK imports only those, so this package imports nothing on its own)."""
