namespace Prynai.McpServer.Security;

/// <summary>
/// Tokens from <c>dotnet user-jwts</c>: accepted only in Development, validated with the signing keys the tool puts in
/// user secrets under the standard <c>Authentication:Schemes:Bearer</c> section.
/// </summary>
public sealed class DevelopmentTokens(IConfiguration configuration, IHostEnvironment environment)
{
    /// <summary>The scheme (and configuration section) dotnet user-jwts writes.</summary>
    public const string Scheme = "Bearer";

    public const string Issuer = "dotnet-user-jwts";

    public bool IsConfigured => IsConfiguredIn(configuration, environment);

    public static bool IsConfiguredIn(IConfiguration configuration, IHostEnvironment environment) =>
        environment.IsDevelopment() && configuration.GetSection($"Authentication:Schemes:{Scheme}:SigningKeys").GetChildren().Any();
}
