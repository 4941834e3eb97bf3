using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Prynai.ConformanceHost;

// roots/list and sampling input requests are deprecated by protocol 2026-07-28 (MCP9005) but the suite asks for them.
#pragma warning disable MCP9005

/// <summary>Building input requests and reading the client's answers for the multi-round-trip (input-required) fixtures.</summary>
internal static class InputResponses
{
    private static readonly byte[] StateKey = RandomNumberGenerator.GetBytes(32);

    public static InputRequest Elicit(string message, string property, string type = "string") =>
        InputRequest.ForElicitation(new ElicitRequestParams
        {
            Mode = "form",
            Message = message,
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>
                {
                    [property] = type == "boolean" ? new ElicitRequestParams.BooleanSchema() : new ElicitRequestParams.StringSchema(),
                },
                Required = [property],
            },
        });

    public static InputRequest Sample(string prompt, int maxTokens) =>
        InputRequest.ForSampling(new CreateMessageRequestParams
        {
            Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }],
            MaxTokens = maxTokens,
        });

    public static InputRequest Roots() => InputRequest.ForRootsList(new ListRootsRequestParams());

    public static InputRequiredException Ask(Dictionary<string, InputRequest> requests, string? state = null) => new(requests, state);

    /// <summary>The accepted elicitation content under <paramref name="key"/>, or null (missing, declined, malformed).</summary>
    public static JsonObject? Accepted(RequestParams? parameters, string key) =>
        Answer(parameters, key) is JsonObject { } answer && answer["action"]?.GetValue<string>() == "accept" && answer["content"] is JsonObject content
            ? content
            : null;

    /// <summary>The raw answer under <paramref name="key"/> when it is a JSON object; anything else counts as no answer.</summary>
    public static JsonObject? Answer(RequestParams? parameters, string key) =>
        parameters?.InputResponses is { } responses && responses.TryGetValue(key, out var response) &&
        response.RawValue.ValueKind == JsonValueKind.Object
            ? JsonNode.Parse(response.RawValue.GetRawText())?.AsObject()
            : null;

    /// <summary>Opaque, tamper-evident request state: base64url(json).HMAC-SHA256.</summary>
    public static string Sign(JsonObject state)
    {
        var payload = Base64Url(Encoding.UTF8.GetBytes(state.ToJsonString()));
        return $"{payload}.{Base64Url(HMACSHA256.HashData(StateKey, Encoding.ASCII.GetBytes(payload)))}";
    }

    /// <summary>The state the server signed; a missing or altered state is refused as invalid params.</summary>
    public static JsonObject Verify(string? state)
    {
        var parts = state?.Split('.');
        if (parts is not [var payload, var mac] ||
            !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(mac),
                Encoding.ASCII.GetBytes(Base64Url(HMACSHA256.HashData(StateKey, Encoding.ASCII.GetBytes(payload))))))
        {
            throw new McpProtocolException("requestState is missing or failed its integrity check.", McpErrorCode.InvalidParams);
        }
        return JsonNode.Parse(Convert.FromBase64String(payload.Replace('-', '+').Replace('_', '/').PadRight((payload.Length + 3) / 4 * 4, '=')))!.AsObject();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
