from __future__ import annotations

from pydantic import BaseModel


class WhoAmI(BaseModel):
    organisation_id: str
    name: str
    kind: str
    scopes: list[str]
