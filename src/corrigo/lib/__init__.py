"""Helpers with no models: the one URL parser (urls.py) and the one outbound HTTP client (http.py)."""
