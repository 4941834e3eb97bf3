#!/usr/bin/env node
// Signs in to a Prynai server with sign-in on, as the TypeScript SDK's OAuth client does, then lists tools and calls one.
// Usage: node Tests/ts-client/signin.mjs --url http://127.0.0.1:PORT/mcp [--client-metadata-url https://…] [--tool NAME]
// The browser step is the caller's: this prints {"authorize": URL} on a line and waits for the redirect to arrive at its
// loopback callback (http://127.0.0.1:<port>/callback), then prints the outcome as one JSON line.
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

const opts = { url: undefined, clientMetadataUrl: undefined, tool: 'add' };
for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i];
    if (a === '--url') opts.url = process.argv[++i];
    else if (a === '--client-metadata-url') opts.clientMetadataUrl = process.argv[++i];
    else if (a === '--tool') opts.tool = process.argv[++i];
    else throw new Error(`unknown argument: ${a}`);
}

let deliverCode;
const codeArrived = new Promise(resolve => { deliverCode = resolve; });
const callback = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    res.end('signed in');
    deliverCode(url.searchParams);
});
await new Promise(resolve => callback.listen(0, '127.0.0.1', resolve));
const redirectUrl = `http://127.0.0.1:${callback.address().port}/callback`;

const stored = {};
const provider = {
    get redirectUrl() { return redirectUrl; },
    get clientMetadataUrl() { return opts.clientMetadataUrl; },
    get clientMetadata() {
        return { client_name: 'Prynai TS SDK test client', redirect_uris: [redirectUrl], grant_types: ['authorization_code', 'refresh_token'],
                 response_types: ['code'], token_endpoint_auth_method: 'none' };
    },
    state() { return 'ts-state'; },
    clientInformation() { return stored.client; },
    saveClientInformation(info) { stored.client = info; },
    tokens() { return stored.tokens; },
    saveTokens(tokens) { stored.tokens = tokens; },
    redirectToAuthorization(url) { console.log(JSON.stringify({ authorize: url.href })); },
    saveCodeVerifier(verifier) { stored.verifier = verifier; },
    codeVerifier() { return stored.verifier; },
};

const out = { clientId: undefined, tools: [], call: undefined, error: undefined };
try {
    const client = new Client({ name: 'prynai-ts-signin', version: '1.0.0' });
    try {
        await client.connect(new StreamableHTTPClientTransport(new URL(opts.url), { authProvider: provider }));
    } catch (err) {
        if (!(err instanceof UnauthorizedError)) throw err;
        const params = await codeArrived;
        if (params.get('error')) throw new Error(`authorization failed: ${params.get('error')} ${params.get('error_description') ?? ''}`);
        const transport = new StreamableHTTPClientTransport(new URL(opts.url), { authProvider: provider });
        await transport.finishAuth(params.get('code'));
        await client.connect(new StreamableHTTPClientTransport(new URL(opts.url), { authProvider: provider }));
    }
    out.clientId = stored.client?.client_id;
    out.tools = (await client.listTools()).tools.map(t => t.name);
    const args = opts.tool === 'add' ? { a: 2, b: 3 } : {};
    const result = await client.callTool({ name: opts.tool, arguments: args });
    out.call = { isError: result.isError ?? false, text: result.content?.[0]?.text };
    await client.close();
} catch (err) {
    out.error = String(err?.message ?? err);
}
callback.close();
console.log(JSON.stringify(out));
process.exit(0);
