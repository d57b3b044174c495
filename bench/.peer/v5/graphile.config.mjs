// PostGraphile v5 as bench/peer.py runs it: the Amber preset, the many-to-many preset, one PostgreSQL
// service on DATABASE_URL with as many connections as Demarche's pool, no GraphiQL, no explain, no watch.
// Not part of Demarche.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { PgManyToManyPreset } from "@graphile-contrib/pg-many-to-many";

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset, PgManyToManyPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.POOL_SIZE ?? 20) },
    }),
  ],
  grafserv: { graphiql: false, watch: false, websockets: false },
  grafast: { explain: false },
};

export default preset;
