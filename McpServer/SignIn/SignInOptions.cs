using System.ComponentModel.DataAnnotations;

namespace Prynai.McpServer.SignIn;

/// <summary>
/// Sign-in for interactive MCP clients (section <c>Auth:SignIn</c>, off by default): Prynai becomes an OAuth 2.1
/// authorization server for its own MCP endpoint, in front of the Entra tenant (or OpenID issuer) configured under
/// <c>Auth</c>. Every value has a default except the upstream app's client id and, outside Development, the keys.
/// </summary>
public sealed class SignInOptions
{
    public const string SectionName = "Auth:SignIn";

    public bool Enabled { get; set; }

    /// <summary>Prynai's own app registration at the upstream issuer (the Entra app users sign in to).</summary>
    public string? ClientId { get; set; }

    /// <summary>Its client secret; empty: a signed assertion from the managed identity (a federated credential in Azure).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The user-assigned managed identity whose tokens are the federated credential; empty: the system-assigned one.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>
    /// Scopes clients may ask for and Prynai asks the upstream issuer for (besides openid, profile and offline_access);
    /// empty: the resource's advertised scopes (<c>Auth:ScopesSupported</c>, else <c>{Application ID URI}/.default</c>).
    /// </summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>RSA private keys (PEM) that sign access tokens; the first signs, all are published (rotation overlap).</summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>256-bit keys (base64) that encrypt codes and refresh tokens; the first encrypts, all decrypt.</summary>
    public List<string> EncryptionKeys { get; set; } = [];

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    [Range(typeof(TimeSpan), "00:00:10", "00:10:00")]
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a refresh token lives unused; each use rotates it and starts the period again.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long a user has from the client's authorization request to coming back from the upstream sign-in.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan PendingLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an approval is remembered per user and client; zero asks every time.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan ConsentLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Whether public clients (PKCE only, no secret: what MCP clients on a user's machine are) may sign in. Off, only
    /// clients with a secret may: pre-registered confidential ones and dynamic registrations, which then get a secret.
    /// </summary>
    public bool PublicClients { get; set; } = true;

    /// <summary>Clients registered in configuration (first in the spec's order of registration approaches).</summary>
    public List<ConfiguredClient> Clients { get; set; } = [];

    public ClientMetadataDocumentOptions ClientMetadataDocuments { get; set; } = new();

    public DynamicRegistrationOptions DynamicRegistration { get; set; } = new();
}

/// <summary>A pre-registered client: confidential with a secret, public (PKCE only) without.</summary>
public sealed class ConfiguredClient
{
    public string ClientId { get; set; } = "";

    public string? ClientName { get; set; }

    public string? ClientSecret { get; set; }

    public List<string> RedirectUris { get; set; } = [];
}

/// <summary>Client ID Metadata Documents: a client_id that is an https URL naming the client's own metadata.</summary>
public sealed class ClientMetadataDocumentOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Tests and local development only: allow documents on loopback, over http too.</summary>
    public bool AllowLoopback { get; set; }

    [Range(256, 1_048_576)]
    public int MaxBytes { get; set; } = 5 * 1024;

    [Range(typeof(TimeSpan), "00:00:01", "00:00:30")]
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest a fetched document is reused (shorter when its Cache-Control says so); also the time without one.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxCacheDuration { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Dynamic Client Registration (RFC 7591), bounded.</summary>
public sealed class DynamicRegistrationOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Registrations one address may make per <see cref="Window"/>.</summary>
    [Range(1, 100_000)]
    public int PerAddress { get; set; } = 20;

    /// <summary>Registrations all addresses together may make per <see cref="Window"/>.</summary>
    [Range(1, 1_000_000)]
    public int Total { get; set; } = 1000;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A registration never used to sign in is forgotten after this.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan UnusedLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>A used registration is forgotten this long after its last sign-in or refresh.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "730.00:00:00")]
    public TimeSpan IdleLifetime { get; set; } = TimeSpan.FromDays(90);
}
