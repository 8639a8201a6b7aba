"""The gateway: what residents and staff see (HTML and the JSON API); it owns no data and calls the services."""
