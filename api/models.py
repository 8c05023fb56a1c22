"""The API keeps no models of its own: device tokens are in accounts."""
