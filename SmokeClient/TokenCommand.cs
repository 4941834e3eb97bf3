using System.CommandLine;
using Prynai.SmokeClient.Tokens;

namespace Prynai.SmokeClient;

/// <summary>
/// <c>token</c>: gets a client-credentials token as <c>smoke --auth entra</c> would and prints what matters when a
/// server answers 401 (aud, iss, tid, roles, scp, exp) — never the signature or the secret.
/// </summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var command = new Command("token", "Get an Entra client-credentials token and print its audience, issuer, tenant, roles, scopes and expiry.");
        var authority = new Option<string?>("--authority") { Description = "An OpenID Connect authority to use instead of Entra's (default: $ENTRA_AUTHORITY)." };
        var show = new Option<bool>("--show-token") { Description = "Also print the raw token (e.g. to paste into VS Code's mcp.json). Treat it as a secret." };
        command.Add(authority);
        command.Add(show);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var (credentials, missing) = ClientCredentials.FromEnvironment(parse.GetValue(authority));
            if (credentials is null)
            {
                Console.Error.WriteLine($"Cannot get an Entra token: set {string.Join(", ", missing)}.");
                return 2;
            }
            string token;
            try
            {
                token = await credentials.AcquireTokenAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is Microsoft.Identity.Client.MsalException or HttpRequestException or ArgumentException)
            {
                Console.Error.WriteLine($"Could not get a token for {credentials.Scope}: {ex.Message}");
                return 1;
            }
            Console.WriteLine(TokenClaims.Decode(token));
            if (parse.GetValue(show))
            {
                Console.Error.WriteLine("The raw token follows on stdout; it grants access until it expires.");
                Console.WriteLine($"token: {token}");
            }
            return 0;
        });
        return command;
    }
}
