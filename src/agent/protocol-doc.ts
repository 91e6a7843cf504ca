/**
 * Writes `docs/protocol.md` from the schemas of protocol.ts: `npm run docs:protocol`. A test checks the
 * committed file is what this renders, so the reference cannot drift from the code.
 * Usage: node dist/agent/protocol-doc.js [--check] [FILE]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ERROR_MESSAGES } from '../core/errors.js';
import { CLIENT_NOTIFICATIONS, METHODS, NOTIFICATIONS, attachmentAnnounceSchema, errorObjectSchema } from './protocol.js';
import { ATTACHMENT_HEADER_BYTES, DEFAULT_PORTS, MAX_ATTACHMENTS_PER_REQUEST, PROBE_PATH, PROTOCOL_VERSION, RPC } from './protocol-constants.js';
import { MAX_DOCUMENT_MB_LIMIT } from './server.js';

function schemaBlock(schema: z.ZodType, io: 'input' | 'output'): string {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return ['```json', JSON.stringify(json, (_k, v: unknown) => (isObject(v) ? withoutSafeIntegerBounds(v) : v), 2), '```'].join('\n');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** z.number().int() says "safe integer" with two long bounds; integers are safe integers in JSON-RPC anyway. */
function withoutSafeIntegerBounds(o: Record<string, unknown>): Record<string, unknown> {
  if (o.type !== 'integer') return o;
  const { minimum, maximum, ...rest } = o;
  return {
    ...rest,
    ...(minimum !== undefined && minimum !== -Number.MAX_SAFE_INTEGER ? { minimum } : {}),
    ...(maximum !== undefined && maximum !== Number.MAX_SAFE_INTEGER ? { maximum } : {}),
  };
}

export function renderProtocolDoc(): string {
  const out: string[] = [];
  const p = (s = ''): void => { out.push(s); };
  p('# Kyso agent protocol');
  p();
  p('<!-- Generated from src/agent/protocol.ts by `npm run docs:protocol`. Do not edit by hand. -->');
  p();
  p(`Protocol version ${PROTOCOL_VERSION}. JSON-RPC 2.0 over a WebSocket on the loopback address: \`wss://127.0.0.1:PORT/\` or \`ws://127.0.0.1:PORT/\`, where PORT is the first of ${DEFAULT_PORTS.map((x) => `\`${x}\``).join(', ')} that answers. One JSON text frame per message (batches are refused); documents may follow a message as binary frames (see [Binary documents](#binary-documents)).`);
  p();
  p(`Each port speaks both \`ws://\` and, once Kyso has made its local certificate (a per-machine CA whose private key is discarded, see docs/agent.md), \`wss://\`: use \`wss://127.0.0.1:PORT/\` from HTTPS pages (Safari requires it) and \`ws://\` as the fallback.`);
  p();
  p(`Before opening the WebSocket, \`fetch('https://127.0.0.1:PORT${PROBE_PATH}', { mode: 'no-cors', targetAddressSpace: 'loopback' })\` (or \`http://\`): Chrome asks the user for Local Network Access then, which a bare WebSocket may not trigger. Reaching it is the answer; only sites the user already allowed may read the body (CORS), \`{"name": "kyso", "protocolVersion": ${PROTOCOL_VERSION}, "websocket": "wss://127.0.0.1:PORT/"}\`. Preflights get \`Access-Control-Allow-Private-Network\`. In an iframe, the embedding page must grant \`allow="loopback-network"\`. See docs/agent.md for the security model.`);
  p();
  p('The agent knows a page only by its `Origin` header. Methods marked **consent** work only for sites the user allowed in a Kyso prompt (remembered until revoked); the first such call from a site shows that prompt. Every signature is confirmed by the user in Kyso, and the PIN is typed into Kyso, never into the page.');
  p();
  p('Parameter objects are strict: a key not listed is refused with `BAD_REQUEST` (JSON-RPC `-32602`). No method takes a file path, a PKCS#11 module or a PIN.');
  p();
  p('## Binary documents');
  p();
  p('A document can travel as base64 text inside the JSON (every agent takes that), or, when `agent.info` has `attachments`, as binary WebSocket frames: no base64, no document-sized text frame. The SDK uses binary frames whenever the agent offers them and falls back to base64 otherwise.');
  p();
  p(`1. The request's envelope gets \`attachments\`: up to ${MAX_ATTACHMENTS_PER_REQUEST} announces, each the sender's id for it (an unsigned 32-bit integer unique among its attachments still under way on this connection), its length and its SHA-256. Where the document goes in \`params\`, put \`{"attachment": ID}\`.`);
  p(`2. Then the bytes, in order, as binary frames: each is ${ATTACHMENT_HEADER_BYTES} bytes of the id (big-endian) followed by at most \`attachments.maxChunkBytes\` bytes of the document. Frames of different attachments may interleave; text frames (other requests, \`request.cancel\`) may come between them.`);
  p('3. The agent checks the announce before it takes any byte: a length over `limits.maxDocumentBytes` (or announces adding up to more) is answered `TOO_LARGE`; while other requests of the same connection hold documents, all of them together may not exceed `limits.maxDocumentBytes` either (`BUSY`). A request refused at this point has its frames counted and dropped, without an answer per frame.');
  p('4. More bytes than announced, a frame over `maxChunkBytes` or a SHA-256 that does not match fails the request with `BAD_REQUEST`; an attachment whose next frame does not come within `attachments.idleTimeoutMs` fails it with `TIMEOUT`. Either way its memory is freed at once. A binary frame for an id that nothing on this connection announced is answered with a JSON-RPC error whose id is `null`.');
  p('5. An attachment belongs to the request that announced it, on its connection: another request, connection or site cannot name it. A method sees the document only once every attachment of the request has arrived and matched its hash.');
  p('6. The answer to a request that sent attachments carries its documents the same way: `{"attachment": ID}` in the result (ids chosen by the agent), `attachments` in the response envelope with length and SHA-256, then the binary frames. Methods that return no document (verification) answer as usual.');
  p();
  p('Announce:');
  p();
  p(schemaBlock(attachmentAnnounceSchema, 'input'));
  p();
  p('Example: `{"jsonrpc": "2.0", "id": 7, "method": "pdf.sign", "params": {"document": {"attachment": 1}, "fileName": "don.pdf"}, "attachments": [{"id": 1, "length": 48213, "sha256": "9f86…"}]}`, then frames `00 00 00 01` + bytes 0…, `00 00 00 01` + the next bytes, …');
  p();
  p('## Methods');
  p();
  p('| method | access | uses the token |');
  p('|---|---|---|');
  for (const [name, spec] of Object.entries(METHODS)) p(`| [\`${name}\`](#${name.replace('.', '')}) | ${spec.access === 'consent' ? '**consent**' : 'open'} | ${spec.token ? 'yes (one operation at a time)' : 'no'} |`);
  p();
  for (const [name, spec] of Object.entries(METHODS)) {
    p(`### ${name}`);
    p();
    p(spec.summary);
    p();
    p(`Access: ${spec.access === 'consent' ? '**consent**' : 'open'}.${spec.errors.length ? ` Errors (\`error.data.code\`): ${spec.errors.map((e) => `\`${e}\``).join(', ')}.` : ''}`);
    p();
    p('Params:');
    p();
    p(schemaBlock(spec.params, 'input'));
    p();
    p('Result:');
    p();
    p(schemaBlock(spec.result, 'output'));
    p();
  }
  p('## Notifications from the page');
  p();
  for (const [name, n] of Object.entries(CLIENT_NOTIFICATIONS)) {
    p(`### ${name}`);
    p();
    p(n.summary);
    p();
    p(schemaBlock(n.params, 'input'));
    p();
  }
  p('## Notifications from the agent');
  p();
  for (const [name, n] of Object.entries(NOTIFICATIONS)) {
    p(`### ${name}`);
    p();
    p(n.summary);
    p();
    p(schemaBlock(n.params, 'output'));
    p();
  }
  p('## Errors');
  p();
  p('Every error is a JSON-RPC error object whose `data` carries the stable Kyso code and the message in Vietnamese and English:');
  p();
  p(schemaBlock(errorObjectSchema, 'output'));
  p();
  p('| JSON-RPC code | when | `data.code` |');
  p('|---|---|---|');
  p(`| ${RPC.PARSE_ERROR} | the frame is not JSON | \`BAD_REQUEST\` |`);
  p(`| ${RPC.INVALID_REQUEST} | not a JSON-RPC 2.0 request object (also: a binary frame of no announced attachment, batch, id already in use) | \`BAD_REQUEST\` |`);
  p(`| ${RPC.METHOD_NOT_FOUND} | unknown method | \`BAD_REQUEST\` |`);
  p(`| ${RPC.INVALID_PARAMS} | params do not match the method's schema (\`data.detail\` names the fields) | \`BAD_REQUEST\` |`);
  p(`| ${RPC.KYSO_ERROR} | everything else | see below |`);
  p();
  p(`A frame larger than the agent's frame cap (\`agent.info\` → \`limits.maxFrameBytes\`) closes the connection with WebSocket close code 1009; a document over \`limits.maxDocumentBytes\` is answered \`TOO_LARGE\` (a binary one as soon as it is announced). The frame cap is room for a base64 document of \`maxDocumentBytes\` plus 6 MiB of other params, and never more than one JS string can hold (512 MiB with 64-bit Node); \`kyso serve --max-document-mb\` therefore goes up to ${MAX_DOCUMENT_MB_LIMIT} (MiB), so that every size up to the limit is answered on both paths.`);
  p();
  p('| code | Tiếng Việt | English |');
  p('|---|---|---|');
  for (const [code, [vi, en]] of Object.entries(ERROR_MESSAGES)) p(`| \`${code}\` | ${vi} | ${en} |`);
  p();
  return out.join('\n');
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const file = args.find((a) => !a.startsWith('--')) ?? fileURLToPath(new URL('../../docs/protocol.md', import.meta.url));
  const text = renderProtocolDoc();
  if (check) {
    let current = '';
    try { current = readFileSync(file, 'utf8'); } catch { /* missing */ }
    if (current !== text) {
      process.stderr.write(`${file} is out of date: run npm run docs:protocol\n`);
      process.exitCode = 1;
    }
  } else {
    writeFileSync(file, text);
    process.stdout.write(`wrote ${file}\n`);
  }
}
