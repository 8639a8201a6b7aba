"""The catalog service: departments and the service items they offer, edited by staff, published as events."""
