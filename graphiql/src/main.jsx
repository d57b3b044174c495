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
