from typing import Literal, Optional, Union

from pydantic import Field

from .base_model import BaseModel
from .enums import ErrorCode


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
    code: ErrorCode
    problems: list["CreateWaveCreateWaveValidationErrorProblems"]
    field: str


class CreateWaveCreateWaveValidationErrorProblems(BaseModel):
    field: str
    code: ErrorCode
    message: str


class CreateWaveCreateWaveNotFoundError(BaseModel):
    typename__: Literal["NotFoundError"] = Field(alias="__typename")
    message: str
    code: ErrorCode
    problems: list["CreateWaveCreateWaveNotFoundErrorProblems"]


class CreateWaveCreateWaveNotFoundErrorProblems(BaseModel):
    field: str
    code: ErrorCode
    message: str


class CreateWaveCreateWaveConflictError(BaseModel):
    typename__: Literal["ConflictError"] = Field(alias="__typename")
    message: str
    code: ErrorCode
    problems: list["CreateWaveCreateWaveConflictErrorProblems"]


class CreateWaveCreateWaveConflictErrorProblems(BaseModel):
    field: str
    code: ErrorCode
    message: str


class CreateWaveCreateWaveVersionConflictError(BaseModel):
    typename__: Literal["VersionConflictError"] = Field(alias="__typename")
    message: str
    code: ErrorCode
    problems: list["CreateWaveCreateWaveVersionConflictErrorProblems"]


class CreateWaveCreateWaveVersionConflictErrorProblems(BaseModel):
    field: str
    code: ErrorCode
    message: str


class CreateWaveCreateWaveUnavailableError(BaseModel):
    typename__: Literal["UnavailableError"] = Field(alias="__typename")
    message: str
    code: ErrorCode
    problems: list["CreateWaveCreateWaveUnavailableErrorProblems"]


class CreateWaveCreateWaveUnavailableErrorProblems(BaseModel):
    field: str
    code: ErrorCode
    message: str


class CreateWaveCreateWaveUnauthenticatedError(BaseModel):
    typename__: Literal["UnauthenticatedError"] = Field(alias="__typename")
    message: str
    code: ErrorCode
    problems: list["CreateWaveCreateWaveUnauthenticatedErrorProblems"]


class CreateWaveCreateWaveUnauthenticatedErrorProblems(BaseModel):
    field: str
    code: ErrorCode
    message: str


class CreateWaveCreateWaveForbiddenError(BaseModel):
    typename__: Literal["ForbiddenError"] = Field(alias="__typename")
    message: str
    code: ErrorCode
    problems: list["CreateWaveCreateWaveForbiddenErrorProblems"]


class CreateWaveCreateWaveForbiddenErrorProblems(BaseModel):
    field: str
    code: ErrorCode
    message: str


CreateWave.model_rebuild()
CreateWaveCreateWaveValidationError.model_rebuild()
CreateWaveCreateWaveNotFoundError.model_rebuild()
CreateWaveCreateWaveConflictError.model_rebuild()
CreateWaveCreateWaveVersionConflictError.model_rebuild()
CreateWaveCreateWaveUnavailableError.model_rebuild()
CreateWaveCreateWaveUnauthenticatedError.model_rebuild()
CreateWaveCreateWaveForbiddenError.model_rebuild()
