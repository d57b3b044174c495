// Apollo Client's own persisted-query link against a live Demarche: `node apq.mjs URL [post]`.
// Runs one query three times, each from a fresh client (so nothing is remembered client-side but the link's own
// hashes), with every HTTP request the link makes recorded; prints one JSON line: the requests and the answers.
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

const [url, mode] = process.argv.slice(2);
const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const requests = [];

async function recorded(input, init = {}) {
  const target = new URL(typeof input === "string" ? input : input.url);
  const body = init.body ? JSON.parse(init.body) : null;
  const response = await fetch(input, init);
  const text = await response.clone().text();
  requests.push({
    method: init.method ?? "GET",
    sentQuery: Boolean(body?.query ?? target.searchParams.get("query")),
    hash: (body?.extensions ?? JSON.parse(target.searchParams.get("extensions") ?? "{}"))?.persistedQuery?.sha256Hash ?? null,
    status: response.status,
    cacheControl: response.headers.get("cache-control"),
    code: JSON.parse(text).errors?.[0]?.extensions?.code ?? null,
  });
  return response;
}

const QUERY = gql`
  query StatesForApollo($first: Int!) {
    states(first: $first) { nodes { code name } }
  }
`;

function client() {
  const persisted = new PersistedQueryLink({ sha256, useGETForHashedQueries: mode !== "post" });
  return new ApolloClient({ link: persisted.concat(new HttpLink({ uri: url, fetch: recorded })), cache: new InMemoryCache() });
}

const answers = [];
for (let round = 0; round < 3; round++) {
  const { data, error } = await client().query({ query: QUERY, variables: { first: 3 }, fetchPolicy: "network-only" });
  answers.push({ data: data ?? null, error: error ? String(error) : null });
}
console.log(JSON.stringify({ requests, answers }));
