// Apollo Federation's own tools against Demarche's subgraph, run by test_federation.py.
//
//   node federation.mjs compose DEMARCHE_SDL_FILE
//       composes the file with news.graphql by @apollo/composition; prints {errors, hints} as JSON.
//   node federation.mjs route DEMARCHE_URL STORIES_JSON QUERY_FILE
//       serves news.graphql (a tiny @apollo/subgraph server on a free port), lets @apollo/gateway compose the two live
//       subgraphs from their `_service { sdl }`, runs the query through the gateway, and prints its answer as JSON.
import { readFileSync } from "node:fs";
import { parse } from "graphql";
import { composeServices } from "@apollo/composition";
import { ApolloGateway, IntrospectAndCompose } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";

const NEWS = readFileSync(new URL("./news.graphql", import.meta.url), "utf8");

/** What the news service says of a measure or a state: derived from its key, so the test can tell it is right. */
export function coverage(id) {
  return { articles: id.length, headline: `Coverage of ${id}` };
}

function newsResolvers(stories) {
  return {
    Query: { topStories: () => stories.map((story) => ({ headline: story.headline, expulsion: { id: story.expulsionId } })) },
    Expulsion: {
      __resolveReference: (reference) => ({ id: reference.id }),
      coverage: (expulsion) => coverage(expulsion.id),
    },
    State: {
      __resolveReference: (reference) => ({ code: reference.code }),
      newsDesk: (state) => `${state.code} desk`,
    },
  };
}

async function compose(file) {
  const result = composeServices([
    { name: "demarche", url: "http://demarche/graphql", typeDefs: parse(readFileSync(file, "utf8")) },
    { name: "news", url: "http://news/graphql", typeDefs: parse(NEWS) },
  ]);
  const errors = (result.errors ?? []).map((error) => error.message);
  const hints = (result.hints ?? []).map((hint) => `${hint.definition.code}: ${hint.message}`);
  console.log(JSON.stringify({ errors, hints, supergraph: result.supergraphSdl ? "composed" : null }));
}

async function route(demarcheUrl, storiesJson, queryFile) {
  const stories = JSON.parse(storiesJson);
  const news = new ApolloServer({ schema: buildSubgraphSchema([{ typeDefs: parse(NEWS), resolvers: newsResolvers(stories) }]) });
  const { url: newsUrl } = await startStandaloneServer(news, { listen: { port: 0, host: "127.0.0.1" } });
  const gateway = new ApolloGateway({
    supergraphSdl: new IntrospectAndCompose({
      subgraphs: [
        { name: "demarche", url: demarcheUrl },
        { name: "news", url: newsUrl },
      ],
    }),
  });
  const server = new ApolloServer({ gateway });
  await server.start();
  try {
    const response = await server.executeOperation({ query: readFileSync(queryFile, "utf8") });
    console.log(JSON.stringify(response.body.singleResult));
  } finally {
    await server.stop();
    await news.stop();
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === "compose") {
  await compose(...rest);
} else if (mode === "route") {
  await route(...rest);
} else {
  console.error("usage: node federation.mjs compose FILE | route DEMARCHE_URL STORIES_JSON QUERY_FILE");
  process.exit(2);
}
