using StackExchange.Redis;

namespace Prynai.McpServer.State;

/// <summary>
/// Redis settings from either form the platform uses: Aspire's <c>ConnectionStrings:cache</c>
/// (<c>host:port,password=…,ssl=True</c>) or the original system's <c>REDIS_URL</c> (<c>redis://host:6379/0</c>,
/// <c>rediss://:key@host:6380/0</c>). Either way the server starts when Redis is down and reconnects by itself.
/// </summary>
internal static class RedisConnection
{
    public static ConfigurationOptions Parse(string value)
    {
        var options = value.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase)
            ? FromUrl(new Uri(value))
            : ConfigurationOptions.Parse(value);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 3000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 3000);
        options.ResponseTimeout = Math.Min(options.ResponseTimeout, 3000);
        options.KeepAlive = options.KeepAlive > 0 ? options.KeepAlive : 30;
        options.ReconnectRetryPolicy = new ExponentialRetry(250, 5000);
        options.ClientName ??= "prynai-mcp";
        return options;
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
