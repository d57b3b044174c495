// Bundles src/main.jsx into one JS and one CSS file in api/http/static/graphiql/, named by their content's hash,
// with manifest.json mapping "graphiql.js" and "graphiql.css" to those names (api/http/graphiql.py reads it).
import { createHash } from "node:crypto";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const target = path.resolve(here, "../api/http/static/graphiql");

const result = await build({
  entryPoints: { graphiql: path.join(here, "src/main.jsx") },
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome100", "firefox100", "safari15"],
  jsx: "automatic",
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "eof",
  outdir: "out",
  write: false,
  logLevel: "warning",
});

const manifest = {};
const files = {};
for (const file of result.outputFiles) {
  const extension = path.extname(file.path);
  const digest = createHash("sha256").update(file.contents).digest("hex").slice(0, 12);
  const name = `graphiql.${digest}${extension}`;
  manifest[`graphiql${extension}`] = name;
  files[name] = file.contents;
}
if (Object.keys(manifest).sort().join() !== "graphiql.css,graphiql.js") {
  throw new Error(`expected one JS and one CSS file, got ${Object.keys(manifest)}`);
}

await mkdir(target, { recursive: true });
for (const old of await readdir(target)) {
  await rm(path.join(target, old));
}
for (const [name, contents] of Object.entries(files)) {
  await writeFile(path.join(target, name), contents);
  console.log(`${path.relative(process.cwd(), path.join(target, name))}  ${(contents.length / 1024).toFixed(0)} KiB`);
}
await writeFile(path.join(target, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
