using StackExchange.Redis;

namespace Prynai.McpServer.State;

/// <summary>
/// Redis settings from either form the platform uses: Aspire's <c>ConnectionStrings:cache</c>
/// (<c>host:port,password=…,ssl=True</c>) or the original system's <c>REDIS_URL</c> (<c>redis://host:6379/0</c>,
/// <c>rediss://:key@host:6380/0</c>). Either way the server starts when Redis is down and reconnects by itself.
/// </summary>
internal static class RedisConnection
{
    /// <summary>Longest a call waits on a Redis that does not answer before the store reports itself unavailable.</summary>
    public const int TimeoutMilliseconds = 2000;

    public static ConfigurationOptions Parse(string value)
    {
        var options = value.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase)
            ? FromUrl(new Uri(value))
            : ConfigurationOptions.Parse(value);
        ApplyDefaults(options);
        return options;
    }

    /// <summary>The connection string Aspire's Redis client reads (<c>ConnectionStrings:cache</c> form), whichever form was given.</summary>
    public static string ToConnectionString(string value) => Parse(value).ToString(includePassword: true);

    /// <summary>
    /// Fail fast and recover by itself: without a connection a call fails at once instead of queueing (the tools
    /// answer "store unavailable"), one that gets no answer fails within <see cref="TimeoutMilliseconds"/> (the
    /// client's defaults wait 5 s or more), and the client keeps reconnecting in the background.
    /// </summary>
    public static void ApplyDefaults(ConfigurationOptions options)
    {
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, TimeoutMilliseconds);
        options.SyncTimeout = Math.Min(options.SyncTimeout, TimeoutMilliseconds);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, TimeoutMilliseconds);
        options.KeepAlive = options.KeepAlive > 0 ? options.KeepAlive : 30;
        options.ReconnectRetryPolicy = new ExponentialRetry(250, 5000);
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ClientName ??= "prynai-mcp";
    }

    private static ConfigurationOptions FromUrl(Uri url)
    {
        var secure = url.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase);
        var options = new ConfigurationOptions { Ssl = secure };
        options.EndPoints.Add(url.Host, url.IsDefaultPort || url.Port < 0 ? (secure ? 6380 : 6379) : url.Port);
        if (secure)
        {
            options.SslHost = url.Host;
        }
        if (url.UserInfo is { Length: > 0 } userInfo)
        {
            // redis://user:password@host or rediss://:password@host; the 1.x client has no ACL user name, only the password.
            var password = userInfo.Contains(':', StringComparison.Ordinal) ? userInfo[(userInfo.IndexOf(':', StringComparison.Ordinal) + 1)..] : userInfo;
            options.Password = Uri.UnescapeDataString(password);
        }
        if (url.AbsolutePath.Trim('/') is { Length: > 0 } database && int.TryParse(database, out var index))
        {
            options.DefaultDatabase = index;
        }
        return options;
    }
}
