using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Prynai.McpServer.Transport.Validation;

/// <summary>
/// Checks a request's <c>params</c> against the shape the SDK will bind it to, before the SDK sees it. The SDK answers
/// a params object it cannot bind with -32603 "An error occurred." (and a stack in the log); the caller's mistake
/// deserves -32602 and a message naming the member and what it must be. Cheap checks of JSON kinds cover the common
/// members; the rare complex ones (initialize, client info, capabilities, input responses) are bound with the SDK's own
/// contracts, whose complaint becomes the message. Notifications are not checked: nothing could answer them.
/// </summary>
internal static class RequestParamsValidator
{
    private static readonly HashSet<string> LogLevels = new(StringComparer.Ordinal)
    {
        "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency",
    };

    /// <summary>Null when the params may go to the SDK; otherwise what is wrong, as a sentence.</summary>
    public static string? Validate(JsonRpcMessage message, bool perRequestMetadata)
    {
        if (message is not JsonRpcRequest { Method: var method, Params: var parameters })
        {
            return null;
        }
        if (parameters is null)
        {
            return RequiresParams(method) ? $"Invalid params: {method} needs params, got none." : null;
        }
        if (parameters is not JsonObject p)
        {
            return $"Invalid params: params must be an object, got {Describe(parameters)}.";
        }
        return Meta(p) ?? method switch
        {
            RequestMethods.Initialize when !perRequestMetadata => Bind(p, "params", TypeInfo<InitializeRequestParams>()),
            RequestMethods.ToolsCall => String(p, "name") ?? Optional(p, "arguments", JsonValueKind.Object) ?? InputResponses(p, TypeInfo<CallToolRequestParams>()),
            RequestMethods.PromptsGet => String(p, "name") ?? StringMap(p, "arguments") ?? InputResponses(p, TypeInfo<GetPromptRequestParams>()),
            RequestMethods.ResourcesRead => String(p, "uri") ?? InputResponses(p, TypeInfo<ReadResourceRequestParams>()),
            RequestMethods.ResourcesSubscribe or RequestMethods.ResourcesUnsubscribe => String(p, "uri"),
            RequestMethods.ToolsList or RequestMethods.PromptsList or RequestMethods.ResourcesList or RequestMethods.ResourcesTemplatesList =>
                Optional(p, "cursor", JsonValueKind.String),
            RequestMethods.CompletionComplete => Completion(p),
            RequestMethods.SubscriptionsListen => Member(p, "notifications") is JsonObject notifications
                ? Bind(notifications, "params.notifications", TypeInfo<SubscriptionsListenNotifications>())
                : "Invalid params: subscriptions/listen needs params.notifications, an object naming what to listen to " +
                  $"(e.g. {{\"toolsListChanged\": true}}), got {(Member(p, "notifications") is { } given ? Describe(given) : "none")}.",
#pragma warning disable MCP9005 // logging/setLevel still exists on the session revisions
            RequestMethods.LoggingSetLevel => LogLevel(p, "level", "params.level"),
#pragma warning restore MCP9005
            _ => null,
        };
    }

    private static bool RequiresParams(string method) => method is RequestMethods.ToolsCall or RequestMethods.PromptsGet or RequestMethods.ResourcesRead
        or RequestMethods.ResourcesSubscribe or RequestMethods.ResourcesUnsubscribe or RequestMethods.CompletionComplete or RequestMethods.Initialize
        or RequestMethods.SubscriptionsListen;

    private static string? Meta(JsonObject p)
    {
        if (Member(p, "_meta") is not { } node)
        {
            return Optional(p, "requestState", JsonValueKind.String);
        }
        if (node is not JsonObject meta)
        {
            return $"Invalid params: params._meta must be an object, got {Describe(node)}.";
        }
        if (Member(meta, "progressToken") is { } token && !IsString(token) && !IsInteger(token))
        {
            return $"Invalid params: params._meta.progressToken must be a string or an integer, got {Describe(token)}.";
        }
        if (Member(meta, MetaKeys.ProtocolVersion) is { } version && !IsString(version))
        {
            return $"Invalid params: params._meta[\"{MetaKeys.ProtocolVersion}\"] must be a string, got {Describe(version)}.";
        }
        if (Member(meta, MetaKeys.ClientInfo) is { } clientInfo && !IsPlainImplementation(clientInfo))
        {
            if (Bind(clientInfo, $"params._meta[\"{MetaKeys.ClientInfo}\"]", TypeInfo<Implementation>()) is { } problem)
            {
                return problem;
            }
        }
        if (Member(meta, MetaKeys.ClientCapabilities) is { } capabilities && capabilities is not JsonObject { Count: 0 })
        {
            if (Bind(capabilities, $"params._meta[\"{MetaKeys.ClientCapabilities}\"]", TypeInfo<ClientCapabilities>()) is { } problem)
            {
                return problem;
            }
        }
        if (Member(meta, MetaKeys.LogLevel) is not null && LogLevel(meta, MetaKeys.LogLevel, $"params._meta[\"{MetaKeys.LogLevel}\"]") is { } levelProblem)
        {
            return levelProblem;
        }
        return Optional(p, "requestState", JsonValueKind.String);
    }

    /// <summary>Client info with only string members — what every client sends — needs no binding to be known good.</summary>
    private static bool IsPlainImplementation(JsonNode node) =>
        node is JsonObject info && IsString(Member(info, "name")) && IsString(Member(info, "version"))
        && info.All(member => member.Key is "name" or "version" or "title" or "description" or "websiteUrl" && IsString(member.Value));

    private static string? Completion(JsonObject p)
    {
        if (Member(p, "ref") is not JsonObject reference)
        {
            return $"Invalid params: params.ref must be an object ({{\"type\": \"ref/prompt\", \"name\": …}} or {{\"type\": \"ref/resource\", \"uri\": …}}), got {Describe(Member(p, "ref"))}.";
        }
        var type = Member(reference, "type") is JsonValue t && t.TryGetValue(out string? s) ? s : null;
        var referenceProblem = type switch
        {
            "ref/prompt" => String(reference, "name", "params.ref.name"),
            "ref/resource" => String(reference, "uri", "params.ref.uri"),
            _ => $"Invalid params: params.ref.type must be \"ref/prompt\" or \"ref/resource\", got {Describe(Member(reference, "type"))}.",
        };
        if (referenceProblem is not null)
        {
            return referenceProblem;
        }
        if (Member(p, "argument") is not JsonObject argument)
        {
            return $"Invalid params: params.argument must be an object ({{\"name\": …, \"value\": …}}), got {Describe(Member(p, "argument"))}.";
        }
        return String(argument, "name", "params.argument.name")
            ?? String(argument, "value", "params.argument.value")
            ?? (Member(p, "context") is null ? null
                : Member(p, "context") is JsonObject context ? StringMap(context, "arguments", "params.context.arguments")
                : $"Invalid params: params.context must be an object, got {Describe(Member(p, "context"))}.");
    }

    private static string? String(JsonObject parent, string name, string? path = null) =>
        IsString(Member(parent, name)) ? null : $"Invalid params: {path ?? "params." + name} must be a string, got {Got(parent, name)}.";

    /// <summary>What the member is, or that it is missing — naming a member that differs only in case, the usual slip.</summary>
    private static string Got(JsonObject parent, string name)
    {
        foreach (var (key, value) in parent)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return string.Equals(key, name, StringComparison.Ordinal)
                    ? Describe(value)
                    : $"none (member names are case-sensitive; found '{key}')";
            }
        }
        return "none";
    }

    private static string? Optional(JsonObject parent, string name, JsonValueKind kind) =>
        Member(parent, name) is not { } value || value.GetValueKind() == kind
            ? null
            : $"Invalid params: params.{name} must be {(kind == JsonValueKind.Object ? "an object" : "a string")} when present, got {Describe(value)}.";

    /// <summary>Prompt arguments and completion context: an object whose values are all strings.</summary>
    private static string? StringMap(JsonObject parent, string name, string? path = null)
    {
        path ??= "params." + name;
        switch (Member(parent, name))
        {
            case null:
                return null;
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    if (!IsString(value))
                    {
                        return $"Invalid params: {path}.{key} must be a string, got {Describe(value)}.";
                    }
                }
                return null;
            case var other:
                return $"Invalid params: {path} must be an object of strings, got {Describe(other)}.";
        }
    }

    private static string? LogLevel(JsonObject parent, string name, string path) =>
        Member(parent, name) is JsonValue value && value.TryGetValue(out string? level) && LogLevels.Contains(level)
            ? null
            : $"Invalid params: {path} must be one of {string.Join(", ", LogLevels)}, got {Describe(Member(parent, name))}.";

    /// <summary>Input responses (2026-07-28 input-required retries) are rare and intricate: the SDK's contract decides.</summary>
    private static string? InputResponses(JsonObject p, JsonTypeInfo typeInfo) =>
        Member(p, "inputResponses") is null ? null : Bind(p, "params", typeInfo);

    private static string? Bind(JsonNode node, string path, JsonTypeInfo typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(node, typeInfo) is null ? $"Invalid params: {path} must be an object, got null." : null;
        }
        catch (JsonException ex)
        {
            var member = ex.Path is { Length: > 1 } jsonPath ? path + jsonPath[1..] : path;
            var detail = ex.Message.Split(" Path:", 2)[0].TrimEnd('.');
            const string WrongType = "The JSON value could not be converted to ";
            const string Missing = "missing required properties including: ";
            if (detail.StartsWith(WrongType, StringComparison.Ordinal))
            {
                detail = $"has the wrong JSON type (expected {Expected(typeInfo.Type, detail[WrongType.Length..], ex.Path)})";
            }
            else if (detail.IndexOf(Missing, StringComparison.Ordinal) is >= 0 and var at)
            {
                detail = $"is missing the required member {detail[(at + Missing.Length)..]}";
            }
            else
            {
                detail = ": " + detail;
            }
            return $"Invalid params: {member}{(detail[0] == ':' ? "" : " ")}{detail}.";
        }
    }

    /// <summary>
    /// What the member at <paramref name="jsonPath"/> must be. The serializer names the type that failed to read, which
    /// is the member's declaring type when the member itself has the wrong kind; its property then says what it wanted.
    /// </summary>
    private static string Expected(Type root, string failedTypeName, string? jsonPath)
    {
        var failed = FindType(root, failedTypeName) ?? root;
        var member = jsonPath?.Split('.')[^1];
        var property = failed.GetProperties().FirstOrDefault(p =>
            p.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonPropertyNameAttribute), true)
                .OfType<System.Text.Json.Serialization.JsonPropertyNameAttribute>().Any(a => a.Name == member));
        var type = Nullable.GetUnderlyingType(property?.PropertyType ?? failed) ?? property?.PropertyType ?? failed;
        return type == typeof(string) ? "a string"
            : type == typeof(bool) ? "a boolean"
            : type == typeof(int) || type == typeof(long) ? "an integer"
            : type == typeof(double) ? "a number"
            : type.IsEnum ? "a string"
            : type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) && !type.Name.Contains("Dictionary", StringComparison.Ordinal) ? "an array"
            : "an object";
    }

    private static Type? FindType(Type root, string fullName, int depth = 0)
    {
        if (root.FullName == fullName)
        {
            return root;
        }
        if (depth > 4 || root.Namespace?.StartsWith("ModelContextProtocol", StringComparison.Ordinal) != true)
        {
            return null;
        }
        foreach (var property in root.GetProperties())
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var candidates = type.IsGenericType ? type.GetGenericArguments().Append(type) : [type];
            foreach (var candidate in candidates)
            {
                if (FindType(candidate, fullName, depth + 1) is { } found)
                {
                    return found;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// A member by its exact name. The SDK binds params case-sensitively, but the <c>JsonObject</c> it parsed them into
    /// looks names up ignoring case: <c>"URI"</c> must not pass for <c>"uri"</c> here.
    /// </summary>
    private static JsonNode? Member(JsonObject parent, string name)
    {
        var index = parent.IndexOf(name);
        if (index < 0)
        {
            return null;
        }
        var (found, value) = parent.GetAt(index);
        if (string.Equals(found, name, StringComparison.Ordinal))
        {
            return value;
        }
        foreach (var (key, _) in parent)
        {
            if (string.Equals(key, name, StringComparison.Ordinal))
            {
                return value;
            }
        }
        return null;
    }

    private static bool IsString(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String;

    private static bool IsInteger(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue(out long _);

    internal static string Describe(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {node.ToJsonString()}",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    private static JsonTypeInfo TypeInfo<T>() => Contract<T>.TypeInfo;

    /// <summary>One lookup per type: this options instance does not cache them (they showed as 3 % of a tool call's CPU).</summary>
    private static class Contract<T>
    {
        public static readonly JsonTypeInfo TypeInfo = BindingOptions.GetTypeInfo(typeof(T));
    }

    /// <summary>
    /// The SDK's contracts as the SDK binds requests: its source-generated context matches member names exactly,
    /// while <see cref="McpJsonUtilities.DefaultOptions"/> would also accept "ProtocolVersion" for "protocolVersion".
    /// </summary>
    private static readonly JsonSerializerOptions BindingOptions = new(McpJsonUtilities.DefaultOptions) { PropertyNameCaseInsensitive = false };
}
