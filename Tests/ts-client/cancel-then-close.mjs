#!/usr/bin/env node
// What the official TypeScript SDK client does when a user gives up on a call: abort it (the SDK sends
// notifications/cancelled), then end the session (DELETE). Prints one JSON object: how long after the abort the
// call settled, and every error the transport reported (a reset connection shows there).
// Usage: node Tests/ts-client/cancel-then-close.mjs --url http://127.0.0.1:PORT/mcp [--steps 50]
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const args = process.argv.slice(2);
const url = args[args.indexOf('--url') + 1];
const steps = args.includes('--steps') ? Number(args[args.indexOf('--steps') + 1]) : 50;
const out = { started: false, abortedAfterMs: null, settledAfterAbortMs: null, callOutcome: null, terminated: false, transportErrors: [], errors: [] };

try {
    const transport = new StreamableHTTPClientTransport(new URL(url));
    const client = new Client({ name: 'prynai-ts-cancel', version: '1.0.0' }, { capabilities: {} });
    client.onerror = err => out.transportErrors.push(String(err?.message ?? err));
    await client.connect(transport);

    const controller = new AbortController();
    const began = Date.now();
    let abortedAt = 0;
    const call = client.callTool({ name: 'long_task', arguments: { steps } }, undefined, {
        signal: controller.signal,
        onprogress: () => {
            if (!out.started) {
                out.started = true;
                abortedAt = Date.now();
                out.abortedAfterMs = abortedAt - began;
                controller.abort('the user gave up');
            }
        }
    });
    try {
        await call;
        out.callOutcome = 'completed';
    } catch (err) {
        out.callOutcome = `rejected: ${err?.message ?? err}`;
    }
    out.settledAfterAbortMs = abortedAt ? Date.now() - abortedAt : null;

    await transport.terminateSession();
    out.terminated = true;
    await client.close();
    await new Promise(resolve => setTimeout(resolve, 500)); // anything the server does on the closed streams shows now
} catch (err) {
    out.errors.push(String(err?.message ?? err));
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
process.exit(out.errors.length === 0 ? 0 : 1);
