from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import ActorKind, DatePrecision


class StateByCode(BaseModel):
    state: Optional["StateByCodeState"]


class StateByCodeState(BaseModel):
    id: str
    code: str
    name: str
    kind: ActorKind
    alpha_3: Optional[str] = Field(alias="alpha3")
    is_former: bool = Field(alias="isFormer")
    memberships: list["StateByCodeStateMemberships"]


class StateByCodeStateMemberships(BaseModel):
    organisation: "StateByCodeStateMembershipsOrganisation"
    joined: "StateByCodeStateMembershipsJoined"


class StateByCodeStateMembershipsOrganisation(BaseModel):
    code: str
    name: str


class StateByCodeStateMembershipsJoined(BaseModel):
    value: str
    precision: DatePrecision


StateByCode.model_rebuild()
StateByCodeState.model_rebuild()
StateByCodeStateMemberships.model_rebuild()
