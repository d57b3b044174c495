"""The repositories of diplomatic missions and of the diplomats posted to them."""

from __future__ import annotations

from collections.abc import Collection

from domain.read.filters import DiplomatFilter, MissionFilter
from domain.record.diplomats import Diplomat, Rank
from domain.record.missions import Mission
from persistence.sql import mappers
from persistence.sql.tables import DiplomatRow, ExpelledDiplomatRow, MissionRow
from persistence.write.base import SqlRepository, Where, table_of


class SqlMissionRepository(SqlRepository[Mission, MissionFilter]):
    table = table_of(MissionRow)
    mapper = mappers.mapper_of(Mission)

    def where_sending_state(self, code: str) -> Where:
        return self.table.c.sending_state == self.code(code)

    def where_host_state(self, code: str) -> Where:
        return self.table.c.host_state == self.code(code)


class SqlDiplomatRepository(SqlRepository[Diplomat, DiplomatFilter]):
    table = table_of(DiplomatRow)
    mapper = mappers.mapper_of(Diplomat)

    def where_sending_state(self, code: str) -> Where:
        return self.table.c.sending_state == self.code(code)

    def where_mission_id(self, id: int) -> Where:
        return self.table.c.mission_id == id

    def where_rank(self, rank: Rank) -> Where:
        return self.table.c.rank == rank.value

    async def of_measures(self, measure_ids: Collection[int]) -> dict[int, list[Diplomat]]:
        return await self.linked(table_of(ExpelledDiplomatRow), "measure_id", "diplomat_id", measure_ids)
