// Runs graphql-http's GraphQL-over-HTTP audits against a live server and prints one JSON line per audit:
// {"id", "name", "status", "reason", "response"} where status is ok | warn | error | notice | fatal.
//
//   node audit.mjs http://127.0.0.1:8000/graphql
//
// It is auditServer({ url, fetchFn }) taken apart: serverAudits() gives the same audits, run here one
// after another rather than all at once, so that each meets the server alone (its result never depends
// on how sixty others interleave with it), and one audit's fatal error (a refused connection, a body
// that is not JSON) is reported under its own name instead of rejecting every result.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <url of the GraphQL endpoint>');
  process.exit(2);
}

async function outcome({ id, name, fn }) {
  try {
    const result = await fn();
    if (result.status === 'ok') {
      return { id, name, status: 'ok', reason: null, response: null };
    }
    const { status, headers } = result.response;
    let body = '';
    try {
      body = (await result.response.text()).slice(0, 500);
    } catch {
      // the audit already read it
    }
    const response = { status, contentType: headers.get('content-type'), body };
    return { id, name, status: result.status, reason: result.reason, response };
  } catch (error) {
    return { id, name, status: 'fatal', reason: String(error?.stack ?? error), response: null };
  }
}

for (const audit of serverAudits({ url, fetchFn: fetch })) {
  process.stdout.write(JSON.stringify(await outcome(audit)) + '\n');
}
