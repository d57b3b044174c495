from typing import Annotated, Literal, Optional, Union

from pydantic import Field

from .base_model import BaseModel
from .enums import MeasureType


class RecordById(BaseModel):
    node: Optional[
        Annotated[
            Union[
                "RecordByIdNodeNode", "RecordByIdNodeExpulsion", "RecordByIdNodeWave"
            ],
            Field(discriminator="typename__"),
        ]
    ]


class RecordByIdNodeNode(BaseModel):
    typename__: Literal[
        "Citation",
        "Diplomat",
        "HistoryEntry",
        "Membership",
        "Mission",
        "Node",
        "Organisation",
        "Source",
        "State",
        "Statement",
    ] = Field(alias="__typename")
    id: str


class RecordByIdNodeExpulsion(BaseModel):
    typename__: Literal["Expulsion"] = Field(alias="__typename")
    id: str
    measure_type: MeasureType = Field(alias="measureType")


class RecordByIdNodeWave(BaseModel):
    typename__: Literal["Wave"] = Field(alias="__typename")
    id: str
    name: str
    description: Optional[str]


RecordById.model_rebuild()
