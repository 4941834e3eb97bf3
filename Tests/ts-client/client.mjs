#!/usr/bin/env node
// End-to-end check of the Prynai MCP server using the official TypeScript SDK client.
// Usage: node Tests/ts-client/client.mjs --url http://127.0.0.1:PORT/mcp [--token TOKEN] [--no-sampling]
// Bare imports resolve from this file's location, so Tests/node_modules is used whatever the cwd.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
    CreateMessageRequestSchema,
    LoggingMessageNotificationSchema,
    ResourceUpdatedNotificationSchema
} from '@modelcontextprotocol/sdk/types.js';

function parseArgs(argv) {
    const opts = { url: undefined, token: undefined, sampling: true };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--url') opts.url = argv[++i];
        else if (a === '--token') opts.token = argv[++i];
        else if (a === '--no-sampling') opts.sampling = false;
        else throw new Error(`unknown argument: ${a}`);
    }
    if (!opts.url) throw new Error('--url is required');
    return opts;
}

const textOf = contents => contents?.[0]?.text;
const sleep = ms => new Promise(r => setTimeout(r, ms));

async function waitFor(predicate, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (!predicate() && Date.now() < deadline) await sleep(50);
    return predicate();
}

async function run(opts, out) {
    const authHeaders = opts.token ? { Authorization: `Bearer ${opts.token}` } : {};
    const transport = new StreamableHTTPClientTransport(new URL(opts.url), {
        requestInit: { headers: authHeaders }
    });
    const client = new Client(
        { name: 'prynai-ts-client', version: '1.0.0' },
        { capabilities: opts.sampling ? { sampling: {} } : {} }
    );

    if (opts.sampling) {
        client.setRequestHandler(CreateMessageRequestSchema, async request => {
            const content = request.params.messages?.[0]?.content;
            const first = Array.isArray(content) ? content[0] : content;
            const prompt = first?.type === 'text' ? first.text : '';
            return {
                role: 'assistant',
                content: { type: 'text', text: 'TSMOCK:' + prompt.slice(0, 40) },
                model: 'ts-mock',
                stopReason: 'endTurn'
            };
        });
    }
    client.setNotificationHandler(LoggingMessageNotificationSchema, n => {
        const d = n.params.data;
        out.logs.push(typeof d === 'string' ? d : JSON.stringify(d));
    });
    const counterUri = 'prynai://counter';
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, n => {
        if (n.params.uri === counterUri) out.counterUpdates++;
    });

    await client.connect(transport);
    out.protocolVersion = transport.protocolVersion;
    const sessionId = transport.sessionId;
    out.sessionId = Boolean(sessionId);

    // Each step records its own failure and the run carries on, so one bad answer doesn't hide the rest.
    const step = async (name, fn) => {
        try { await fn(); } catch (err) { out.errors.push(`${name}: ${err?.message ?? err}`); }
    };
    const readText = async uri => textOf((await client.readResource({ uri })).contents);

    await step('tools/list', async () => { out.tools = (await client.listTools()).tools.map(t => t.name); });
    await step('resources/list', async () => { out.resources = (await client.listResources()).resources.map(r => r.uri); });
    await step('resources/templates/list', async () => {
        out.templates = (await client.listResourceTemplates()).resourceTemplates.map(t => t.uriTemplate);
    });
    await step('prompts/list', async () => { out.prompts = (await client.listPrompts()).prompts.map(p => p.name); });

    await step('add', async () => {
        out.add = (await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).structuredContent?.result;
    });
    await step('divide', async () => {
        out.divideIsError = (await client.callTool({ name: 'divide', arguments: { a: 1, b: 0 } })).isError === true;
    });
    await step('echo', async () => {
        await client.setLoggingLevel('info');
        await client.callTool({ name: 'echo', arguments: { text: 'hello from ts' } });
        await waitFor(() => out.logs.some(l => l.includes('echo')), 2000); // may trail the result slightly
    });

    await step('read status', async () => { out.status = await readText('prynai://status'); });
    await step('read hello', async () => { out.hello = await readText('hello://World'); });
    await step('prompts/get', async () => {
        const p = await client.getPrompt({ name: 'quick_summary', arguments: { title: 'Q3 report', tone: 'formal' } });
        out.promptText = p.messages?.[0]?.content?.text;
    });
    await step('completion/complete', async () => {
        const c = await client.complete({
            ref: { type: 'ref/prompt', name: 'quick_summary' },
            argument: { name: 'tone', value: 'f' }
        });
        out.completion = c.completion.values;
    });

    await step('counter', async () => {
        await client.subscribeResource({ uri: counterUri });
        out.counterBefore = Number(await readText(counterUri));
        await client.callTool({ name: 'bump_counter', arguments: { step: 1 } });
        await client.callTool({ name: 'bump_counter', arguments: { step: 1 } });
        await waitFor(() => out.counterUpdates >= 2, 5000); // updates arrive on the GET stream
        out.counterAfter = Number(await readText(counterUri));
    });

    await step('long_task', async () => {
        const r = await client.callTool({ name: 'long_task', arguments: { steps: 3 } }, undefined, {
            onprogress: p => out.progress.push(p.message ?? `${p.progress}/${p.total}`)
        });
        out.longTask = r.structuredContent?.status;
    });
    await step('summarize_via_client_llm', async () => {
        const r = await client.callTool({
            name: 'summarize_via_client_llm',
            arguments: { text: 'The quick brown fox jumps over the lazy dog. It was a sunny day in the forest.' }
        });
        out.sampling = r.structuredContent?.summary;
    });

    const protocolVersion = transport.protocolVersion;
    await transport.terminateSession();
    await client.close();

    const res = await fetch(opts.url, {
        method: 'POST',
        headers: {
            ...authHeaders,
            'Content-Type': 'application/json',
            Accept: 'application/json, text/event-stream',
            'mcp-session-id': sessionId ?? '',
            'mcp-protocol-version': protocolVersion ?? ''
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/list', params: {} })
    });
    out.afterDeleteStatus = res.status;
    await res.body?.cancel();
}

function check(opts, out) {
    const expect = (ok, msg) => { if (!ok) out.errors.push(msg); };
    expect(out.add === 5, `add expected 5, got ${out.add}`);
    expect(out.divideIsError === true, 'divide(1,0) should return isError');
    expect(out.logs.length > 0 && out.logs.some(l => l.includes('echo')), 'expected an info log mentioning "echo"');
    expect(out.status === 'ok', `status expected "ok", got ${out.status}`);
    expect(out.hello === 'Hello, World', `hello expected "Hello, World", got ${out.hello}`);
    expect(typeof out.promptText === 'string' && out.promptText.startsWith('Write a concise'), 'unexpected prompt text');
    expect(Array.isArray(out.completion) && out.completion.includes('formal'), 'completion should include "formal"');
    expect(out.counterAfter === out.counterBefore + 2, `counter ${out.counterBefore} -> ${out.counterAfter}, expected +2`);
    expect(out.counterUpdates >= 2, `expected >=2 resources/updated for counter, got ${out.counterUpdates}`);
    expect(JSON.stringify(out.progress) === JSON.stringify(['step 1/3', 'step 2/3', 'step 3/3']),
        `unexpected progress ${JSON.stringify(out.progress)}`);
    expect(out.longTask === 'done', `long_task status expected "done", got ${out.longTask}`);
    if (opts.sampling) expect(typeof out.sampling === 'string' && out.sampling.startsWith('TSMOCK:'), `sampling got ${out.sampling}`);
    else expect(out.sampling === 'sampling unavailable', `sampling (disabled) got ${out.sampling}`);
    expect(out.afterDeleteStatus === 404, `POST after DELETE expected 404, got ${out.afterDeleteStatus}`);
}

const out = {
    protocolVersion: null, sessionId: false, tools: [], resources: [], templates: [], prompts: [],
    add: null, divideIsError: false, logs: [], status: null, hello: null, promptText: null, completion: [],
    counterBefore: null, counterAfter: null, counterUpdates: 0, progress: [], longTask: null, sampling: null,
    afterDeleteStatus: null, errors: []
};
let opts = { sampling: true };
try {
    opts = parseArgs(process.argv.slice(2));
    await run(opts, out);
    check(opts, out);
} catch (err) {
    out.errors.push(`exception: ${err?.message ?? err}`);
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
process.exit(out.errors.length === 0 ? 0 : 1);
