from typing import Literal, Optional, Union

from pydantic import Field

from .base_model import BaseModel
from .enums import DatePrecision, HeadcountQualifier, MeasureType


class MeasuresBy(BaseModel):
    expulsions: Optional["MeasuresByExpulsions"]


class MeasuresByExpulsions(BaseModel):
    total_count: int = Field(alias="totalCount")
    page_info: "MeasuresByExpulsionsPageInfo" = Field(alias="pageInfo")
    nodes: list["MeasuresByExpulsionsNodes"]


class MeasuresByExpulsionsPageInfo(BaseModel):
    has_next_page: bool = Field(alias="hasNextPage")
    end_cursor: Optional[str] = Field(alias="endCursor")


class MeasuresByExpulsionsNodes(BaseModel):
    id: str
    measure_type: MeasureType = Field(alias="measureType")
    announced: "MeasuresByExpulsionsNodesAnnounced"
    headcount: "MeasuresByExpulsionsNodesHeadcount"
    actor: Union[
        "MeasuresByExpulsionsNodesActorActor", "MeasuresByExpulsionsNodesActorState"
    ] = Field(discriminator="typename__")
    target: "MeasuresByExpulsionsNodesTarget"


class MeasuresByExpulsionsNodesAnnounced(BaseModel):
    value: str
    precision: DatePrecision


class MeasuresByExpulsionsNodesHeadcount(BaseModel):
    qualifier: HeadcountQualifier
    value: Optional[int]


class MeasuresByExpulsionsNodesActorActor(BaseModel):
    typename__: Literal["Actor", "Organisation"] = Field(alias="__typename")
    code: str
    name: str


class MeasuresByExpulsionsNodesActorState(BaseModel):
    typename__: Literal["State"] = Field(alias="__typename")
    code: str
    name: str
    is_former: bool = Field(alias="isFormer")


class MeasuresByExpulsionsNodesTarget(BaseModel):
    code: str


MeasuresBy.model_rebuild()
MeasuresByExpulsions.model_rebuild()
MeasuresByExpulsionsNodes.model_rebuild()
