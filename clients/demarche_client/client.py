from typing import Any, Optional, Union

from .base_client import BaseClient
from .base_model import UNSET, UnsetType
from .create_wave import CreateWave
from .input_types import CreateWaveInput
from .measures_by import MeasuresBy
from .record_by_id import RecordById
from .state_by_code import StateByCode


def gql(q: str) -> str:
    return q


class DemarcheClient(BaseClient):
    def create_wave(self, input: CreateWaveInput, **kwargs: Any) -> CreateWave:
        query = gql("""
            mutation CreateWave($input: CreateWaveInput!) {
              createWave(input: $input) {
                __typename
                ... on Wave {
                  id
                  version
                  name
                  description
                }
                ... on UserError {
                  message
                  code
                  problems {
                    field
                    code
                    message
                  }
                }
                ... on ValidationError {
                  field
                }
              }
            }
            """)
        variables: dict[str, object] = {"input": input}
        response = self.execute(
            query=query, operation_name="CreateWave", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CreateWave.model_validate(data)

    def state_by_code(self, code: str, **kwargs: Any) -> StateByCode:
        query = gql("""
            query StateByCode($code: String!) {
              state(code: $code) {
                id
                code
                name
                kind
                alpha3
                isFormer
                memberships {
                  organisation {
                    code
                    name
                  }
                  joined {
                    value
                    precision
                  }
                }
              }
            }
            """)
        variables: dict[str, object] = {"code": code}
        response = self.execute(
            query=query, operation_name="StateByCode", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return StateByCode.model_validate(data)

    def measures_by(
        self,
        first: int,
        actor: Union[Optional[list[str]], UnsetType] = UNSET,
        after: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> MeasuresBy:
        query = gql("""
            query MeasuresBy($actor: [String!], $first: Int!, $after: String) {
              expulsions(actor: $actor, first: $first, after: $after, orderBy: ANNOUNCED) {
                totalCount
                pageInfo {
                  hasNextPage
                  endCursor
                }
                nodes {
                  id
                  measureType
                  announced {
                    value
                    precision
                  }
                  headcount {
                    qualifier
                    value
                  }
                  actor {
                    __typename
                    code
                    name
                    ... on State {
                      isFormer
                    }
                  }
                  target {
                    code
                  }
                }
              }
            }
            """)
        variables: dict[str, object] = {"actor": actor, "first": first, "after": after}
        response = self.execute(
            query=query, operation_name="MeasuresBy", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return MeasuresBy.model_validate(data)

    def record_by_id(self, id: str, **kwargs: Any) -> RecordById:
        query = gql("""
            query RecordById($id: ID!) {
              node(id: $id) {
                __typename
                id
                ... on Wave {
                  name
                  description
                }
                ... on Expulsion {
                  measureType
                }
              }
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = self.execute(
            query=query, operation_name="RecordById", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return RecordById.model_validate(data)
