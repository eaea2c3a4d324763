"""Helpers with no models and no Django: URLs now, the outbound HTTP client next."""
