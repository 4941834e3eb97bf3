namespace Prynai.OidcStandIn;

/// <summary>What the stand-in knows (section <c>StandIn</c>): its tenant, the API its access tokens are for, clients and users.</summary>
public sealed class StandInOptions
{
    public const string SectionName = "StandIn";

    /// <summary>The tenant id in its URLs and tokens (<c>tid</c>); its issuer is <c>https://host:port/{TenantId}/v2.0</c>, as Entra's.</summary>
    public string TenantId { get; set; } = "11111111-2222-3333-4444-555555555555";

    /// <summary>The API whose access tokens it issues for <c>{ApiAudience}/.default</c> (the token's <c>aud</c>).</summary>
    public string ApiAudience { get; set; } = "api://prynai-dev";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Where to write its HTTPS certificate (PEM) for a relying party to trust; it makes a new one at each start.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Confidential clients (Entra app registrations): the authorization code and client credentials grants.</summary>
    public List<StandInClient> Clients { get; set; } = [];

    /// <summary>Users it can sign in; the first one unless a <c>login_hint</c> or the <c>standin_user</c> cookie names another.</summary>
    public List<StandInUser> Users { get; set; } = [];
}

public sealed class StandInClient
{
    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    /// <summary>Exact redirect URIs; an entry ending in <c>*</c> allows any URI that starts with the rest (loopback ports in tests).</summary>
    public List<string> RedirectUris { get; set; } = [];

    /// <summary>App roles in its client-credentials tokens.</summary>
    public List<string> Roles { get; set; } = [];
}

public sealed class StandInUser
{
    /// <summary>The object id (<c>oid</c>, also <c>sub</c>).</summary>
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public string UserName { get; set; } = "";

    /// <summary>App roles assigned to the user (<c>roles</c> of the API's access tokens).</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>Delegated scopes the user consented to (<c>scp</c> of the API's access tokens).</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>A disabled user cannot sign in, and a refresh token of theirs is refused (as Entra's AADSTS50057).</summary>
    public bool Disabled { get; set; }
}
