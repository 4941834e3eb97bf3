using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Prynai.Tests.Infrastructure;

namespace Prynai.Tests.Transport;

/// <summary>A tool as tools/list describes it: enough to build valid arguments and then break them.</summary>
public sealed record GeneratedTool(string Name, JsonObject InputSchema);

/// <summary>
/// Seeded generator of malformed MCP requests for both protocol generations. Each request starts as a valid one
/// (a real method, a real tool with schema-valid arguments, headers that agree with the body) and then has one to
/// three things broken: a value replaced by one of the wrong shapes clients really send (wrong JSON type, 100.0 and
/// 1e2 for integers, out-of-range numbers, lone surrogates, invalid UTF-8 bytes), a property removed, a header
/// garbled, the body truncated or its chunked framing corrupted. Same seed, same requests.
/// </summary>
public sealed partial class BadInputGenerator(int seed, IReadOnlyList<GeneratedTool> tools, IReadOnlyList<string> resourceUris)
{
    private const string Stateless = "2026-07-28";
    private const string SessionRevision = "2025-11-25";
    private const string RawMarker = "QQRAW";
    private const string BytesMarker = "QQBYTES";

    /// <summary>Tools that wait for the client (sampling, elicitation) or that run long: a raw client never answers them.</summary>
    private static readonly string[] WaitingTools = ["summarize_via_client_llm", "ask_billing_expert", "ask_account_expert", "ask_product_expert", "trouble_shoot_device", "long_task"];

    private static readonly string[] NastyJson =
    [
        "null", "true", "false", "0", "-1", "1.5", "100.0", "1e2", "1E+2", "-0", "1e400", "-1e400", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "1e-7", "\"\"", "\"x\"", "\"\\ud800\"", "\"\\udc00\"", "\"a\\ud800b\"",
        "\"\\u0000\"", "\"\\ud83d\\ude00\"", "\"" + new string('x', 5000) + "\"", "\"../../etc/passwd\"", "\"prynai://counter\"",
        "\"C0001\"", "\"100\"", "[]", "[1,2]", "[\"a\",null]", "{}", "{\"a\":1}", "{\"a\":1,\"a\":2}", "{\"type\":\"text\"}",
        new string('[', 100) + new string(']', 100), "{\"_meta\":{}}",
    ];

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xFE, 0xFF],
    ];

    private static readonly string[] HeaderNames =
        ["Mcp-Method", "Mcp-Name", "MCP-Protocol-Version", "Mcp-Session-Id", "Accept", "Content-Type", "Origin", "Last-Event-ID", "Authorization"];

    private static readonly byte[][] HeaderJunk =
    [
        [0xFF, 0xFE], [0xE9], [0xC3, 0xA9], [0xED, 0xA0, 0x80], [0x01], Encoding.ASCII.GetBytes(new string('a', 9000)),
        "=?base64?!!!?="u8.ToArray(), "=?base64?7aCA?="u8.ToArray(), [], "tools/call"u8.ToArray(), "2026-07-28, 2025-11-25"u8.ToArray(),
        "*/*;q=0"u8.ToArray(), "application/json; charset=latin1"u8.ToArray(), "Bearer \xff"u8.ToArray(), "null"u8.ToArray(),
    ];

    private readonly Random _random = new(seed);
    private int _id;

    /// <summary>A broken 2026-07-28 request (no session).</summary>
    public RawHttpRequest NextStateless()
    {
        var (method, parameters) = StatelessTemplate();
        parameters["_meta"] = new JsonObject
        {
            ["io.modelcontextprotocol/protocolVersion"] = Stateless,
            ["io.modelcontextprotocol/clientInfo"] = new JsonObject { ["name"] = "fuzz", ["version"] = "1" },
            ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject(),
        };
        return Break(method, parameters, Stateless, sessionId: null, syncNameHeaders: true);
    }

    /// <summary>A broken request of the session revisions: a malformed initialize, or a request on one of the sessions.</summary>
    public RawHttpRequest NextSession(IReadOnlyList<string> sessionIds)
    {
        if (_random.Next(3) == 0 || sessionIds.Count == 0)
        {
            var initialize = new JsonObject
            {
                ["protocolVersion"] = SessionRevision,
                ["capabilities"] = new JsonObject { ["sampling"] = new JsonObject() },
                ["clientInfo"] = new JsonObject { ["name"] = "fuzz", ["version"] = "1" },
            };
            return Break("initialize", initialize, SessionRevision, sessionId: null, syncNameHeaders: false);
        }
        var sessionId = _random.Next(10) == 0 ? "not-a-session-" + _random.Next() : sessionIds[_random.Next(sessionIds.Count)];
        if (_random.Next(12) == 0)
        {
            return VerbRequest(sessionId, SessionRevision);
        }
        var (method, parameters) = SessionTemplate();
        return Break(method, parameters, SessionRevision, sessionId, syncNameHeaders: false);
    }

    private (string Method, JsonObject Params) StatelessTemplate() => _random.Next(10) switch
    {
        < 5 => ToolCall(),
        5 => ("resources/read", new JsonObject { ["uri"] = Pick(resourceUris) }),
        6 => ("prompts/get", new JsonObject { ["name"] = "quick_summary", ["arguments"] = new JsonObject { ["title"] = "t", ["tone"] = "formal" } }),
        7 => (Pick(["tools/list", "resources/list", "prompts/list", "resources/templates/list"]), new JsonObject { ["cursor"] = "c" }),
        8 => ("completion/complete", new JsonObject
        {
            ["ref"] = new JsonObject { ["type"] = "ref/prompt", ["name"] = "quick_summary" },
            ["argument"] = new JsonObject { ["name"] = "tone", ["value"] = "f" },
        }),
        _ => ("server/discover", new JsonObject()),
    };

    private (string Method, JsonObject Params) SessionTemplate() => _random.Next(12) switch
    {
        < 5 => ToolCall(),
        5 => ("resources/read", new JsonObject { ["uri"] = Pick(resourceUris) }),
        6 => ("resources/subscribe", new JsonObject { ["uri"] = Pick(resourceUris) }),
        7 => ("prompts/get", new JsonObject { ["name"] = "quick_summary", ["arguments"] = new JsonObject { ["title"] = "t" } }),
        8 => (Pick(["tools/list", "resources/list", "prompts/list"]), new JsonObject { ["cursor"] = "c" }),
        9 => ("logging/setLevel", new JsonObject { ["level"] = "info" }),
        10 => ("notifications/cancelled", new JsonObject { ["requestId"] = 1, ["reason"] = "r" }),
        _ => ("ping", new JsonObject()),
    };

    private (string, JsonObject) ToolCall()
    {
        var candidates = tools.Where(tool => !WaitingTools.Contains(tool.Name)).ToList();
        var tool = candidates[_random.Next(candidates.Count)];
        return ("tools/call", new JsonObject { ["name"] = tool.Name, ["arguments"] = ValidArguments(tool.InputSchema) });
    }

    /// <summary>Arguments the schema accepts: each required property (and some optional ones) with a value of its type.</summary>
    private JsonObject ValidArguments(JsonObject schema)
    {
        var arguments = new JsonObject();
        var required = schema["required"] is JsonArray names ? names.Select(n => n!.GetValue<string>()).ToHashSet() : [];
        if (schema["properties"] is not JsonObject properties)
        {
            return arguments;
        }
        foreach (var (name, property) in properties)
        {
            if (!required.Contains(name) && _random.Next(2) == 0)
            {
                continue;
            }
            arguments[name] = property?["enum"] is JsonArray options && options.Count > 0
                ? options[_random.Next(options.Count)]!.DeepClone()
                : ValueOfType(property, name);
        }
        return arguments;
    }

    private JsonNode? ValueOfType(JsonNode? property, string name)
    {
        var type = property?["type"] switch
        {
            JsonValue value => value.GetValue<string>(),
            JsonArray types => types.Select(t => t!.GetValue<string>()).First(t => t != "null"),
            _ => "string",
        };
        var minimum = property?["minimum"]?.GetValue<double>() ?? 1;
        return type switch
        {
            "integer" => (long)Math.Max(minimum, 1),
            "number" => Math.Max(minimum, 2.5),
            "boolean" => true,
            "array" => new JsonArray("a"),
            "object" => new JsonObject(),
            _ when name.Contains("customer", StringComparison.OrdinalIgnoreCase) => "C0001",
            _ when name.Contains("invoice", StringComparison.OrdinalIgnoreCase) => "INV-C0001-01",
            _ => "value",
        };
    }

    private RawHttpRequest Break(string method, JsonObject parameters, string revision, string? sessionId, bool syncNameHeaders)
    {
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters };
        if (!method.StartsWith("notifications/", StringComparison.Ordinal))
        {
            message["id"] = ++_id;
        }

        var raw = new List<string>();
        var bytes = new List<byte[]>();
        var framing = BodyFraming.ContentLength;
        var headerBreaks = new List<(string Name, byte[] Value)>();
        var bodyBreak = -1;
        var described = new List<string>();
        for (var count = 1 + _random.Next(3); count > 0; count--)
        {
            switch (_random.Next(20))
            {
                case < 6:
                    var (replaced, nasty) = (ReplaceRandomValue(message, raw), raw[^1]);
                    described.Add($"{replaced}={Shorten(nasty)}");
                    break;
                case < 8:
                    described.Add($"removed {RemoveRandomProperty(message)}");
                    break;
                case < 11:
                    described.Add($"invalid UTF-8 in {InjectIntoString(message, bytes, invalidUtf8: true)}");
                    break;
                case < 13:
                    described.Add($"lone surrogate in {InjectIntoString(message, bytes, invalidUtf8: false)}");
                    break;
                case 13:
                    described.Add($"integer forms in {ReplaceIntegers(message, raw)}");
                    break;
                case < 16:
                    var header = Pick(HeaderNames);
                    var junk = Pick(HeaderJunk);
                    headerBreaks.Add((header, junk));
                    described.Add($"header {header}={Shorten(Encoding.Latin1.GetString(junk))}");
                    break;
                case < 18:
                    framing = Pick([BodyFraming.Chunked, BodyFraming.ChunkSizeOverflow, BodyFraming.ChunkSizeNotHex, BodyFraming.TruncatedBody]);
                    described.Add($"framing {framing}");
                    break;
                default:
                    bodyBreak = _random.Next(4);
                    described.Add($"body break {bodyBreak}");
                    break;
            }
        }

        var headers = new List<(string Name, byte[] Value)>
        {
            ("Content-Type", "application/json"u8.ToArray()),
            ("Accept", "application/json, text/event-stream"u8.ToArray()),
            ("MCP-Protocol-Version", Encoding.ASCII.GetBytes(revision)),
        };
        if (sessionId is not null)
        {
            headers.Add(("Mcp-Session-Id", Encoding.ASCII.GetBytes(sessionId)));
        }
        if (syncNameHeaders && (_random.Next(5) != 0))
        {
            AddStandardHeaders(message, headers);
        }
        foreach (var (name, value) in headerBreaks)
        {
            headers.RemoveAll(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            headers.Add((name, value));
        }

        var body = Serialize(message, raw, bytes);
        body = bodyBreak switch
        {
            0 => body[..(_random.Next(Math.Max(body.Length, 1)))],
            1 => [0xEF, 0xBB, 0xBF, .. body],
            2 => [.. body, .. "}garbage"u8],
            3 when body.Length > 0 => FlipByte(body),
            _ => body,
        };
        return new RawHttpRequest("POST", headers, body, framing, $"{revision} {method}: {string.Join("; ", described)}");
    }

    private RawHttpRequest VerbRequest(string sessionId, string revision)
    {
        var verb = Pick(["GET", "DELETE", "PUT", "OPTIONS", "PATCH"]);
        var headers = new List<(string Name, byte[] Value)>
        {
            ("Accept", _random.Next(2) == 0 ? "text/event-stream"u8.ToArray() : Pick(HeaderJunk)),
            ("MCP-Protocol-Version", _random.Next(3) == 0 ? Pick(HeaderJunk) : Encoding.ASCII.GetBytes(revision)),
            ("Mcp-Session-Id", verb == "DELETE" ? Encoding.ASCII.GetBytes("gone-" + sessionId) : _random.Next(3) == 0 ? Pick(HeaderJunk) : Encoding.ASCII.GetBytes(sessionId)),
        };
        if (_random.Next(3) == 0)
        {
            headers.Add(("Last-Event-ID", Pick(HeaderJunk)));
        }
        return new RawHttpRequest(verb, headers, [], BodyFraming.ContentLength, $"{revision} {verb} with a session header");
    }

    private static void AddStandardHeaders(JsonObject message, List<(string Name, byte[] Value)> headers)
    {
        if (message["method"] is JsonValue method && method.TryGetValue(out string? methodName))
        {
            headers.Add(("Mcp-Method", HeaderValue(methodName)));
            var nameProperty = methodName switch { "tools/call" or "prompts/get" => "name", "resources/read" => "uri", _ => null };
            if (nameProperty is not null && message["params"] is JsonObject parameters && parameters[nameProperty] is JsonValue name && name.TryGetValue(out string? text))
            {
                headers.Add(("Mcp-Name", HeaderValue(text)));
            }
        }
    }

    /// <summary>Printable ASCII as is; anything else Base64-encoded the way 2026-07-28 clients encode it.</summary>
    private static byte[] HeaderValue(string value) => value.All(c => c is >= ' ' and <= '~')
        ? Encoding.ASCII.GetBytes(value)
        : Encoding.ASCII.GetBytes($"=?base64?{Convert.ToBase64String(Encoding.UTF8.GetBytes(value))}?=");

    private string ReplaceRandomValue(JsonObject message, List<string> raw)
    {
        var (parent, key, path) = PickLocation(message);
        raw.Add(Pick(NastyJson));
        Set(parent, key, $"{RawMarker}{raw.Count - 1}{RawMarker}");
        return path;
    }

    private string RemoveRandomProperty(JsonObject message)
    {
        var (parent, key, path) = PickLocation(message);
        if (parent is JsonObject obj && key is string name)
        {
            obj.Remove(name);
        }
        else if (parent is JsonArray array && key is int index)
        {
            array.RemoveAt(index);
        }
        return path;
    }

    /// <summary>Puts a marker into a string the server reads (method, name, uri, _meta values, arguments) for bytes spliced in after serialization.</summary>
    private string InjectIntoString(JsonObject message, List<byte[]> bytes, bool invalidUtf8)
    {
        var strings = Locations(message, "").Where(l => Get(l.Parent, l.Key) is JsonValue v && v.GetValueKind() == JsonValueKind.String).ToList();
        var (parent, key, path) = strings.Count == 0 ? (message, (object)"method", "method") : strings[_random.Next(strings.Count)];
        bytes.Add(invalidUtf8 ? Pick(InvalidUtf8) : Encoding.ASCII.GetBytes(Pick(["\\ud800", "\\udfff", "\\ud800\\u0041", "x\\udc00"])));
        var original = Get(parent, key) is JsonValue value && value.TryGetValue(out string? s) ? s : "";
        Set(parent, key, original + $"{BytesMarker}{bytes.Count - 1}{BytesMarker}");
        return path;
    }

    /// <summary>Every integer in the arguments written another way: 100.0, 1e2, 1E2, a fraction, too large.</summary>
    private string ReplaceIntegers(JsonObject message, List<string> raw)
    {
        var integers = Locations(message, "").Where(l => Get(l.Parent, l.Key) is JsonValue v && v.GetValueKind() == JsonValueKind.Number).ToList();
        foreach (var (parent, key, _) in integers)
        {
            var number = double.Parse(Get(parent, key)!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
            raw.Add(Pick([$"{number:0}.0", $"{number:0}e0", number >= 100 ? $"{number / 100:0.##}e2" : $"{number * 10:0}e-1", $"{number:0}.5", "1e400", "9223372036854775808"]));
            Set(parent, key, $"{RawMarker}{raw.Count - 1}{RawMarker}");
        }
        return integers.Count == 0 ? "(no integers)" : string.Join(",", integers.Select(i => i.Path));
    }

    private (JsonNode Parent, object Key, string Path) PickLocation(JsonObject message)
    {
        var all = Locations(message, "").ToList();
        // Mostly inside params, where the interesting shapes are.
        var inParams = all.Where(l => l.Path.StartsWith("params", StringComparison.Ordinal)).ToList();
        var pool = inParams.Count > 0 && _random.Next(4) != 0 ? inParams : all;
        return pool[_random.Next(pool.Count)];
    }

    private static IEnumerable<(JsonNode Parent, object Key, string Path)> Locations(JsonNode node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    var childPath = path.Length == 0 ? name : $"{path}.{name}";
                    yield return (obj, name, childPath);
                    if (child is not null)
                    {
                        foreach (var nested in Locations(child, childPath))
                        {
                            yield return nested;
                        }
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    yield return (array, i, $"{path}[{i}]");
                    if (array[i] is { } child)
                    {
                        foreach (var nested in Locations(child, $"{path}[{i}]"))
                        {
                            yield return nested;
                        }
                    }
                }
                break;
        }
    }

    private static JsonNode? Get(JsonNode parent, object key) => parent is JsonObject obj ? obj[(string)key] : ((JsonArray)parent)[(int)key];

    private static void Set(JsonNode parent, object key, string value)
    {
        if (parent is JsonObject obj)
        {
            obj[(string)key] = value;
        }
        else
        {
            ((JsonArray)parent)[(int)key] = value;
        }
    }

    private static byte[] Serialize(JsonObject message, List<string> raw, List<byte[]> bytes)
    {
        var text = message.ToJsonString();
        for (var i = 0; i < raw.Count; i++)
        {
            text = text.Replace($"\"{RawMarker}{i}{RawMarker}\"", raw[i], StringComparison.Ordinal);
        }
        var body = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < bytes.Count; i++)
        {
            var marker = Encoding.ASCII.GetBytes($"{BytesMarker}{i}{BytesMarker}");
            var at = body.AsSpan().IndexOf(marker);
            if (at >= 0)
            {
                body = [.. body[..at], .. bytes[i], .. body[(at + marker.Length)..]];
            }
        }
        return body;
    }

    private byte[] FlipByte(byte[] body)
    {
        var copy = (byte[])body.Clone();
        copy[_random.Next(copy.Length)] ^= (byte)(1 << _random.Next(8));
        return copy;
    }

    private T Pick<T>(IReadOnlyList<T> options) => options[_random.Next(options.Count)];

    private static string Shorten(string text) => text.Length <= 30 ? text : text[..30] + "…";
}
