#!/usr/bin/env node
// Reference for the benchmark: the official TypeScript MCP SDK (1.32.2, bench/package.json) serving an `add` tool
// over Streamable HTTP on node:http, as the SDK's own examples do.
// Usage: node bench/reference/ts-server.mjs --port PORT [--stateless]
//   --stateless  a new server and transport per request (sessionIdGenerator: undefined, the SDK's stateless example)
//   otherwise    sessions: initialize creates a transport, kept in a Map by its Mcp-Session-Id
// GET /livez answers 200 (readiness). Bare imports resolve from bench/node_modules (run `npm ci` in bench/).
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod/v4';

function parseArgs(argv) {
    const opts = { port: 0, stateless: false };
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--port') opts.port = Number(argv[++i]);
        else if (argv[i] === '--stateless') opts.stateless = true;
        else throw new Error(`unknown argument: ${argv[i]}`);
    }
    if (!opts.port) throw new Error('--port is required');
    return opts;
}

// The same tool as Prynai's: two described numbers in, a structured {result} out.
function createServer() {
    const server = new McpServer({ name: 'ts-reference', version: '1.0.0' });
    server.registerTool('add', {
        title: 'Add',
        description: 'Adds two numbers and returns their sum.',
        inputSchema: { a: z.number().describe('The first addend.'), b: z.number().describe('The second addend.') },
        outputSchema: { result: z.number().describe('The computed value.') },
        annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false }
    }, async ({ a, b }) => {
        const structuredContent = { result: a + b };
        return { content: [{ type: 'text', text: JSON.stringify(structuredContent) }], structuredContent };
    });
    return server;
}

function readJson(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        req.on('data', chunk => chunks.push(chunk));
        req.on('end', () => {
            try {
                resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            } catch (error) {
                reject(error);
            }
        });
        req.on('error', reject);
    });
}

function reject(res, status, message) {
    res.writeHead(status, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

async function handleStateless(req, res) {
    if (req.method !== 'POST') return reject(res, 405, 'Method not allowed.');
    const body = await readJson(req);
    const server = createServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
        transport.close();
        server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
}

const transports = new Map();

async function handleSession(req, res) {
    const sessionId = req.headers['mcp-session-id'];
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    let transport = sessionId ? transports.get(sessionId) : undefined;
    if (!transport) {
        if (sessionId) return reject(res, 404, 'Session not found.');
        if (req.method !== 'POST' || !isInitializeRequest(body)) return reject(res, 400, 'No valid session ID provided.');
        transport = new StreamableHTTPServerTransport({
            sessionIdGenerator: () => randomUUID(),
            onsessioninitialized: id => transports.set(id, transport)
        });
        transport.onclose = () => {
            if (transport.sessionId) transports.delete(transport.sessionId);
        };
        await createServer().connect(transport);
    }
    await transport.handleRequest(req, res, body);
}

const opts = parseArgs(process.argv.slice(2));
const handle = opts.stateless ? handleStateless : handleSession;
http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/livez') return res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
    if (path !== '/mcp') return res.writeHead(404).end();
    handle(req, res).catch(error => {
        if (!res.headersSent) reject(res, 500, `Internal error: ${error.message}`);
        else res.end();
    });
}).listen(opts.port, '127.0.0.1', () => console.log(`ts-reference listening on 127.0.0.1:${opts.port} (${opts.stateless ? 'stateless' : 'sessions'})`));
