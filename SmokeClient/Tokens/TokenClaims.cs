using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Prynai.SmokeClient.Tokens;

/// <summary>The claims a person checks when a server says 401: read from the token's payload, without the signature.</summary>
public sealed record TokenClaims(string? Audience, string? Issuer, string? TenantId, IReadOnlyList<string> Roles, string? Scopes, DateTimeOffset? Expires)
{
    public static TokenClaims Decode(string token)
    {
        var parts = token.Split('.');
        if (parts.Length < 2)
        {
            throw new FormatException("Not a JWT: expected header.payload.signature.");
        }
        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        using var json = JsonDocument.Parse(Convert.FromBase64String(payload.PadRight((payload.Length + 3) / 4 * 4, '=')));
        var root = json.RootElement;
        string? Text(string name) => root.TryGetProperty(name, out var value) ? value.ValueKind == JsonValueKind.Array
            ? string.Join(" ", value.EnumerateArray().Select(v => v.ToString())) : value.ToString() : null;
        var roles = root.TryGetProperty("roles", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(v => v.GetString() ?? "").ToList()
            : [];
        DateTimeOffset? expires = root.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
        return new TokenClaims(Text("aud"), Text("iss"), Text("tid"), roles, Text("scp"), expires);
    }

    public override string ToString() => new StringBuilder()
        .AppendLine($"aud: {Audience}")
        .AppendLine($"iss: {Issuer}")
        .AppendLine($"tid: {TenantId}")
        .AppendLine($"roles: [{string.Join(", ", Roles)}]")
        .AppendLine($"scp: {Scopes ?? "(none)"}")
        .Append($"exp: {Expires?.ToString("u", CultureInfo.InvariantCulture) ?? "(none)"}")
        .ToString();
}
