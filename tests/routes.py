"""Every route the app serves, found through the routers it includes (shared by the access
matrix and the typed-text test, so both see the same list)."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute


def walk(routes: list[Any]) -> set[tuple[str, str]]:
    """(method, path) of each route, HEAD left out."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, APIRoute):
            found |= {(m, route.path) for m in route.methods - {"HEAD"}}
        original = getattr(route, "original_router", None)
        if original is not None:
            found |= walk(list(original.routes))
    return found
