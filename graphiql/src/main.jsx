// Demarche's GraphiQL: the page (api/graphiql.py) holds no inline script, so this bundle boots it,
// reading its settings from the page's JSON block <script type="application/json" id="demarche-graphiql">.
import { useEditorContext } from "@graphiql/react";
import { explorerPlugin } from "@graphiql/plugin-explorer";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import "codemirror/addon/display/placeholder.js";
import { setNonce } from "get-nonce";
import { GraphiQL } from "graphiql";
import { useEffect } from "react";
import { createRoot } from "react-dom/client";
import "graphiql/graphiql.css";
import "@graphiql/plugin-explorer/dist/style.css";
import "./demarche.css";

const config = JSON.parse(document.getElementById("demarche-graphiql").textContent);
// GraphiQL's dialogs lock scrolling with a <style> element they add; the page's policy admits it by this nonce.
setNonce(config.styleNonce);
const endpoint = new URL(config.endpoint, window.location.href);
const socket = new URL(endpoint);
socket.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";

// Plain JSON over POST; graphql-ws is only reached for a subscription operation.
const fetcher = createGraphiQLFetcher({ url: endpoint.href, subscriptionUrl: socket.href, enableIncrementalDelivery: false });
const explorer = explorerPlugin({ showAttribution: false });

/** Every `headers` in a stored value, at any depth, made null: GraphiQL's history and favourites keep each query's
 * headers, and a header is where a bearer token goes. The tabs' own state already holds null there. */
function withoutHeaders(value) {
  if (Array.isArray(value)) {
    return value.map(withoutHeaders);
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key === "headers" ? null : withoutHeaders(item)]));
  }
  return value;
}

/** GraphiQL's storage: its keys in localStorage, as by default, but no header ever written there. The headers editor's
 * own key is not written at all, and every other value loses its headers; a value that is no JSON (a query's text) is
 * kept as it is. Nothing else of GraphiQL writes to a browser store (sessionStorage, IndexedDB, cookies). */
const storage = {
  getItem: (key) => localStorage.getItem(key),
  setItem(key, value) {
    if (/headers$/i.test(key)) {
      return;
    }
    let kept = value;
    try {
      kept = JSON.stringify(withoutHeaders(JSON.parse(value)));
    } catch {
      // not JSON: kept as it is
    }
    localStorage.setItem(key, kept);
  },
  removeItem: (key) => localStorage.removeItem(key),
  clear() {
    for (const key of Object.keys(localStorage).filter((name) => name.startsWith("graphiql:"))) {
      localStorage.removeItem(key);
    }
  },
  get length() {
    return Object.keys(localStorage).filter((name) => name.startsWith("graphiql:")).length;
  },
};

/** The header editor must hold valid JSON or nothing, so the hint about tokens is its placeholder, never its text. */
function HeadersHint() {
  const { headerEditor } = useEditorContext({ nonNull: true });
  useEffect(() => headerEditor?.setOption("placeholder", config.headersHint), [headerEditor]);
  return null;
}

function Explorer() {
  return (
    <GraphiQL
      fetcher={fetcher}
      storage={storage}
      plugins={[explorer]}
      defaultTabs={config.tabs}
      defaultHeaders=""
      shouldPersistHeaders={false}
      defaultEditorToolsVisibility="headers"
    >
      {/* GraphiQL finds its logo among its children by type, so GraphiQL.Logo stands here itself. */}
      <GraphiQL.Logo>
        <span className="demarche-logo">{config.title}</span>
        <HeadersHint />
      </GraphiQL.Logo>
    </GraphiQL>
  );
}

createRoot(document.getElementById("graphiql")).render(<Explorer />);
