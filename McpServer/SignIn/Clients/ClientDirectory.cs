using Microsoft.Extensions.Options;

namespace Prynai.McpServer.SignIn.Clients;

/// <summary>
/// Finds a client by its client_id in the MCP specification's order of registration approaches: pre-registered in
/// configuration, then a Client ID Metadata Document (an https client_id), then a dynamic registration in the store.
/// </summary>
internal sealed class ClientDirectory(IOptions<SignInOptions> options, ClientMetadataDocuments documents, SignInStore store)
{
    private readonly Dictionary<string, SignInClient> _configured = options.Value.Clients.ToDictionary(
        c => c.ClientId,
        c => new SignInClient(c.ClientId, c.ClientName, c.RedirectUris, c.ClientSecret is { Length: > 0 } secret ? SignInClient.HashSecret(secret) : null, ClientSource.Configured),
        StringComparer.Ordinal);

    public async Task<ClientLookup> FindAsync(string? clientId, CancellationToken cancellationToken)
    {
        if (clientId is not { Length: > 0 and <= 2000 })
        {
            return new ClientLookup(null, "The request names no client (client_id), or one too long to be a client id.");
        }
        if (_configured.TryGetValue(clientId, out var configured))
        {
            return new ClientLookup(configured, null);
        }
        if (documents.IsDocumentUrl(clientId))
        {
            return await documents.FetchAsync(clientId, cancellationToken);
        }
        if (Uri.TryCreate(clientId, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttp)
        {
            return new ClientLookup(null, "The client's metadata document was refused: a client_id URL must be an https URL.");
        }
        if (options.Value.DynamicRegistration.Enabled && await store.GetClientAsync(clientId, cancellationToken) is { } registered)
        {
            return new ClientLookup(new SignInClient(registered.ClientId, registered.ClientName, registered.RedirectUris, registered.SecretHash, ClientSource.Registered), null);
        }
        return new ClientLookup(null, $"The client '{RedirectUriRules.Shorten(clientId)}' is not registered with this server.");
    }

    /// <summary>A dynamically registered client that signed someone in is kept for the idle lifetime from now.</summary>
    public async Task TouchAsync(SignInClient client, CancellationToken cancellationToken)
    {
        if (client.Source == ClientSource.Registered && await store.GetClientAsync(client.ClientId, cancellationToken) is { } record)
        {
            await store.SaveClientAsync(record with { Used = true }, options.Value.DynamicRegistration.IdleLifetime, cancellationToken);
        }
    }
}
