from typing import Literal, Optional, Union

from pydantic import Field

from .base_model import BaseModel


class CreateWave(BaseModel):
    create_wave: Union[
        "CreateWaveCreateWaveWave",
        "CreateWaveCreateWaveValidationError",
        "CreateWaveCreateWaveNotFoundError",
        "CreateWaveCreateWaveConflictError",
        "CreateWaveCreateWaveVersionConflictError",
        "CreateWaveCreateWaveUnavailableError",
        "CreateWaveCreateWaveUnauthenticatedError",
        "CreateWaveCreateWaveForbiddenError",
    ] = Field(alias="createWave", discriminator="typename__")


class CreateWaveCreateWaveWave(BaseModel):
    typename__: Literal["Wave"] = Field(alias="__typename")
    id: str
    version: int
    name: str
    description: Optional[str]


class CreateWaveCreateWaveValidationError(BaseModel):
    typename__: Literal["ValidationError"] = Field(alias="__typename")
    message: str
    field: str


class CreateWaveCreateWaveNotFoundError(BaseModel):
    typename__: Literal["NotFoundError"] = Field(alias="__typename")
    message: str


class CreateWaveCreateWaveConflictError(BaseModel):
    typename__: Literal["ConflictError"] = Field(alias="__typename")
    message: str


class CreateWaveCreateWaveVersionConflictError(BaseModel):
    typename__: Literal["VersionConflictError"] = Field(alias="__typename")
    message: str


class CreateWaveCreateWaveUnavailableError(BaseModel):
    typename__: Literal["UnavailableError"] = Field(alias="__typename")
    message: str


class CreateWaveCreateWaveUnauthenticatedError(BaseModel):
    typename__: Literal["UnauthenticatedError"] = Field(alias="__typename")
    message: str


class CreateWaveCreateWaveForbiddenError(BaseModel):
    typename__: Literal["ForbiddenError"] = Field(alias="__typename")
    message: str


CreateWave.model_rebuild()
