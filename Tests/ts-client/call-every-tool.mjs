#!/usr/bin/env node
// Calls every tool call listed in a cases file and lets the official TypeScript SDK check each structured result
// against the tool's own outputSchema: on a session (2025-11-25) its Client validates as every application using it
// does; on 2026-07-28, which this SDK's Client does not speak, the requests are sent as that revision wants them and
// each result goes through the same validator the Client uses (AjvJsonSchemaValidator, formats checked).
// Usage: node Tests/ts-client/call-every-tool.mjs --url URL --cases FILE [--token T] [--protocol 2025-11-25|2026-07-28]
// FILE: a JSON array of { "tool": name, "arguments": {...} }. Prints one JSON object; exit 0 when every call passed.
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

function parseArgs(argv) {
    const opts = { url: undefined, cases: undefined, token: undefined, protocol: '2025-11-25' };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--url') opts.url = argv[++i];
        else if (a === '--cases') opts.cases = argv[++i];
        else if (a === '--token') opts.token = argv[++i];
        else if (a === '--protocol') opts.protocol = argv[++i];
        else throw new Error(`unknown argument: ${a}`);
    }
    if (!opts.url || !opts.cases) throw new Error('--url and --cases are required');
    return opts;
}

const describe = call => `${call.tool} ${JSON.stringify(call.arguments)}`;

async function onSession(opts, cases, out) {
    const transport = new StreamableHTTPClientTransport(new URL(opts.url), {
        requestInit: { headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {} }
    });
    const client = new Client({ name: 'prynai-ts-schema-check', version: '1.0.0' }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({
        role: 'assistant', content: { type: 'text', text: 'TSMOCK: an answer' }, model: 'ts-mock', stopReason: 'endTurn'
    }));
    await client.connect(transport);
    out.protocolVersion = transport.protocolVersion;
    out.tools = (await client.listTools()).tools.length; // also primes the Client's output-schema validators
    for (const call of cases) {
        try {
            const result = await client.callTool({ name: call.tool, arguments: call.arguments });
            out.calls++;
            if (result.isError) out.errors.push(`${describe(call)}: tool error ${JSON.stringify(result.content)}`);
        } catch (err) {
            out.errors.push(`${describe(call)}: ${err?.message ?? err}`);
        }
    }
    await transport.terminateSession();
    await client.close();
}

async function stateless(opts, cases, out) {
    const meta = {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientInfo': { name: 'prynai-ts-schema-check', version: '1.0.0' },
        'io.modelcontextprotocol/clientCapabilities': {}
    };
    let id = 0;
    const send = async (method, params, name) => {
        const response = await fetch(opts.url, {
            method: 'POST',
            headers: {
                ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
                'Content-Type': 'application/json',
                Accept: 'application/json, text/event-stream',
                'MCP-Protocol-Version': '2026-07-28',
                'Mcp-Method': method,
                ...(name ? { 'Mcp-Name': name } : {})
            },
            body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params: { ...params, _meta: meta } })
        });
        const body = await response.text();
        const json = response.headers.get('content-type')?.startsWith('text/event-stream')
            ? body.split('\n').filter(l => l.startsWith('data:')).map(l => JSON.parse(l.slice(5))).find(m => m.id === id)
            : JSON.parse(body);
        if (json?.error) throw new Error(`HTTP ${response.status} ${JSON.stringify(json.error)}`);
        return json.result;
    };
    out.protocolVersion = '2026-07-28';
    const validator = new AjvJsonSchemaValidator();
    const tools = (await send('tools/list', {})).tools;
    out.tools = tools.length;
    const validators = new Map(tools.filter(t => t.outputSchema).map(t => [t.name, validator.getValidator(t.outputSchema)]));
    for (const call of cases) {
        try {
            const result = await send('tools/call', { name: call.tool, arguments: call.arguments }, call.tool);
            out.calls++;
            if (result.isError) {
                out.errors.push(`${describe(call)}: tool error ${JSON.stringify(result.content)}`);
                continue;
            }
            const check = validators.get(call.tool);
            if (check && !result.structuredContent) out.errors.push(`${describe(call)}: output schema but no structuredContent`);
            else if (check) {
                const verdict = check(result.structuredContent);
                if (!verdict.valid) out.errors.push(`${describe(call)}: Structured content does not match the tool's output schema: ${verdict.errorMessage}`);
            }
        } catch (err) {
            out.errors.push(`${describe(call)}: ${err?.message ?? err}`);
        }
    }
}

const out = { protocolVersion: null, tools: 0, calls: 0, errors: [] };
try {
    const opts = parseArgs(process.argv.slice(2));
    const cases = JSON.parse(readFileSync(opts.cases, 'utf8'));
    await (opts.protocol === '2026-07-28' ? stateless(opts, cases, out) : onSession(opts, cases, out));
} catch (err) {
    out.errors.push(`exception: ${err?.message ?? err}`);
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
process.exit(out.errors.length === 0 ? 0 : 1);
