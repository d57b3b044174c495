"""The repositories of actors and of their memberships of organisations."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from datetime import date

from sqlalchemy import or_, select

from domain.read.filters import ActorFilter, MembershipFilter
from domain.record.actors import Actor, ActorKind, named_by
from domain.record.memberships import Membership
from persistence.sql import mappers
from persistence.sql.tables import ActorRow, MembershipRow
from persistence.write.base import SqlRepository, Where, table_of


class SqlActorRepository(SqlRepository[Actor, ActorFilter]):
    table = table_of(ActorRow)
    mapper = mappers.mapper_of(Actor)

    def where_kinds(self, kinds: frozenset[ActorKind]) -> Where:
        return self.table.c.kind.in_(sorted(kind.value for kind in kinds))

    async def get_by_codes(self, codes: Collection[str]) -> dict[str, Actor]:
        """Match each code against actor codes first, then alpha-3 codes, as `named_by` ranks them."""
        wanted = list(codes)
        if not wanted:
            return {}
        c = self.table.c
        query = select(*self.columns()).where(or_(c.code.in_(wanted), c.alpha3.in_(wanted)))
        rows = (await self.connection.execute(self.held(query))).all()
        return named_by(set(wanted), await self.entities(rows))


class SqlMembershipRepository(SqlRepository[Membership, MembershipFilter]):
    table = table_of(MembershipRow)
    mapper = mappers.mapper_of(Membership)

    def where_organisation(self, code: str) -> Where:
        return self.table.c.organisation == self.code(code)

    def where_state(self, code: str) -> Where:
        return self.table.c.state == self.code(code)

    def where_at(self, day: date) -> Where:
        c = self.table.c
        return [c.joined_end <= day, or_(c.left_start.is_(None), c.left_start >= day)]

    async def recorded(self, organisations: Collection[str]) -> dict[str, bool]:
        query = select(self.table.c.organisation).where(self.table.c.organisation.in_(list(organisations))).distinct()
        held = set((await self.connection.execute(query)).scalars()) if organisations else set()
        return {code: code in held for code in organisations}

    async def of_states(self, codes: Collection[str]) -> dict[str, builtins.list[Membership]]:
        found: dict[str, builtins.list[Membership]] = {code: [] for code in codes}
        if codes:
            query = select(*self.columns()).where(self.table.c.state.in_(list(codes))).order_by(self.table.c.id)
            for spell in await self.entities((await self.connection.execute(query)).all()):
                found[spell.state].append(spell)
        return found
