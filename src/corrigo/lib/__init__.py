"""Helpers with no models: URLs, the outbound HTTP client."""
