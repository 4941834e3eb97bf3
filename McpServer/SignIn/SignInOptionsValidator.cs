using Microsoft.Extensions.Options;
using Prynai.McpServer.Security;

namespace Prynai.McpServer.SignIn;

/// <summary>Sign-in that cannot work stops the server at start, naming the setting.</summary>
internal sealed class SignInOptionsValidator(IOptions<AuthOptions> auth, IHostEnvironment environment) : IValidateOptions<SignInOptions>
{
    public ValidateOptionsResult Validate(string? name, SignInOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        var problems = new List<string>();
        var authority = auth.Value.EffectiveAuthority;
        if (authority is null)
        {
            problems.Add("Auth:SignIn:Enabled needs the identity provider users sign in at: Auth:TenantId (Entra) or Auth:Authority.");
        }
        else if (!authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"Auth:SignIn signs users in at {authority}, but the upstream leg (MSAL) talks to https authorities only; a local stand-in serves https (Auth:TrustedLoopbackCertificate trusts its certificate).");
        }
        if (options.ClientId is not { Length: > 0 })
        {
            problems.Add("Auth:SignIn:ClientId is required: the app registration users sign in to at the identity provider.");
        }
        if (!environment.IsDevelopment() && (options.SigningKeys.Count == 0 || options.EncryptionKeys.Count == 0))
        {
            problems.Add("Auth:SignIn:SigningKeys (RSA private keys, PEM) and Auth:SignIn:EncryptionKeys (32 bytes, base64) are required outside Development, the same on every replica.");
        }
        if (SignInKeys.Problem(options) is { } keyProblem)
        {
            problems.Add(keyProblem);
        }
        foreach (var client in options.Clients)
        {
            if (client.ClientId is not { Length: > 0 } || client.RedirectUris.Count == 0)
            {
                problems.Add("Auth:SignIn:Clients: every client needs a ClientId and at least one RedirectUris entry.");
            }
            else if (client.RedirectUris.Select(Clients.RedirectUriRules.Problem).FirstOrDefault(p => p is not null) is { } redirect)
            {
                problems.Add($"Auth:SignIn:Clients ({client.ClientId}): {redirect}");
            }
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
