namespace Prynai.AppHost;

/// <summary>
/// Redis as a local <c>redis-server</c> process: what F5 runs when no container runtime answers. Loopback only,
/// password-protected, nothing written to disk (like Aspire's Redis container without a data volume).
/// </summary>
internal sealed class RedisServerResource(string name, string command, string workingDirectory, string password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    private EndpointReference? _endpoint;

    public EndpointReference Endpoint => _endpoint ??= new(this, EndpointName);

    /// <summary>The StackExchange.Redis form Aspire's Redis gives too: <c>host:port,password=…</c>.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.HostAndPort)},password={password}");
}
