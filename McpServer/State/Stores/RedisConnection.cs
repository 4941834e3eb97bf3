using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Prynai.McpServer.Configuration;
using StackExchange.Redis;

namespace Prynai.McpServer.State.Stores;

/// <summary>
/// Redis settings from either form the platform uses: Aspire's <c>ConnectionStrings:cache</c>
/// (<c>host:port,password=…,ssl=True</c>) or the original system's <c>REDIS_URL</c> (<c>redis://host:6379/0</c>,
/// <c>rediss://:key@host:6380/0</c>). Either way the server starts when Redis is down and reconnects by itself — but
/// a value that cannot name a server (no scheme, another scheme, a port that is not a number) stops it at once,
/// naming the setting, instead of starting against nothing.
/// </summary>
internal static partial class RedisConnection
{
    public const string UrlSetting = "REDIS_URL";
    public const string ConnectionStringSetting = "ConnectionStrings:cache";

    /// <summary>Longest a call waits on a Redis that does not answer before the store reports itself unavailable.</summary>
    public const int TimeoutMilliseconds = 2000;

    public static ConfigurationOptions Parse(string value, string setting = UrlSetting)
    {
        var text = value.Trim();
        ConfigurationOptions options;
        if (text.Contains("://", StringComparison.Ordinal))
        {
            options = FromUrl(text, setting);
        }
        else if (setting == UrlSetting)
        {
            throw new InvalidSettingException(setting,
                $"'{Redact(text)}' has no scheme: write redis://host:6379/0 (rediss://:password@host:6380/0 for TLS); " +
                $"a host:port,password=… connection string belongs in {ConnectionStringSetting}.");
        }
        else
        {
            options = FromConnectionString(text, setting);
        }
        ApplyDefaults(options);
        return options;
    }

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

    /// <summary>
    /// The CA certificate <c>State:RedisTrustedCaCertificate</c> names, loaded at start so a wrong path or a file that is
    /// not a certificate stops the server naming the setting; null when unset.
    /// </summary>
    public static X509Certificate2? TrustedCa(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }
        if (!File.Exists(path))
        {
            throw new InvalidSettingException(StateOptions.RedisTrustedCaCertificateSetting, $"'{path}' does not exist; give the path of the CA certificate (PEM or DER) the Redis server's certificate chains to.");
        }
        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidSettingException(StateOptions.RedisTrustedCaCertificateSetting, $"'{path}' is not a certificate ({ex.Message}).", ex);
        }
    }

    /// <summary>Where the settings point, for logs: host and port of each endpoint, never a password.</summary>
    public static string Describe(ConfigurationOptions options) =>
        string.Join(", ", options.EndPoints.Select(endpoint => endpoint switch
        {
            System.Net.DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
            _ => endpoint.ToString(),
        })) + (options.Ssl ? " (TLS)" : "");

    private static ConfigurationOptions FromUrl(string text, string setting)
    {
        var scheme = text[..text.IndexOf("://", StringComparison.Ordinal)];
        if (!scheme.Equals("redis", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidSettingException(setting, $"'{Redact(text)}' has the scheme '{scheme}'; a Redis URL starts with redis:// (or rediss:// for TLS).");
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url))
        {
            var port = PortOf().Match(text);
            throw new InvalidSettingException(setting, port.Success && !int.TryParse(port.Groups["port"].Value, out _)
                ? $"'{Redact(text)}' has the port '{port.Groups["port"].Value}'; the port must be a number from 1 to 65535."
                : $"'{Redact(text)}' is not a valid URL; write redis://host:6379/0.");
        }
        if (url.Host.Length == 0)
        {
            throw new InvalidSettingException(setting, $"'{Redact(text)}' names no host; write redis://host:6379/0.");
        }

        var secure = url.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase);
        var options = new ConfigurationOptions { Ssl = secure };
        options.EndPoints.Add(url.Host, url.IsDefaultPort || url.Port < 0 ? (secure ? 6380 : 6379) : url.Port);
        if (secure)
        {
            options.SslHost = url.Host;
        }
        if (url.UserInfo is { Length: > 0 } userInfo)
        {
            // redis://user:password@host or rediss://:password@host: the password is what Azure's and the seeds' URLs carry.
            var password = userInfo.Contains(':', StringComparison.Ordinal) ? userInfo[(userInfo.IndexOf(':', StringComparison.Ordinal) + 1)..] : userInfo;
            options.Password = Uri.UnescapeDataString(password);
        }
        if (url.AbsolutePath.Trim('/') is { Length: > 0 } database)
        {
            options.DefaultDatabase = int.TryParse(database, out var index) && index >= 0
                ? index
                : throw new InvalidSettingException(setting, $"'{Redact(text)}' names the database '{database}'; the database (the URL's path) must be a number, e.g. /0.");
        }
        return options;
    }

    private static ConfigurationOptions FromConnectionString(string text, string setting)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(text);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidSettingException(setting, $"is not a Redis connection string ({ex.Message}); expected host:port,password=…,ssl=True.", ex);
        }
        if (options.EndPoints.Count == 0)
        {
            throw new InvalidSettingException(setting, "names no host; expected host:port,password=…,ssl=True.");
        }
        return options;
    }

    /// <summary>The value with any password replaced, fit for an error message.</summary>
    private static string Redact(string text) => Password().Replace(UserInfoPassword().Replace(text, "${prefix}***@"), "${key}***");

    [GeneratedRegex(@"^[^:/]+://[^/@:]*:(?<port>[^/@]*)(/|$)")]
    private static partial Regex PortOf();

    [GeneratedRegex(@"(?<prefix>://[^:/@]*:)[^@/]*@")]
    private static partial Regex UserInfoPassword();

    [GeneratedRegex(@"(?<key>password=)[^,]*", RegexOptions.IgnoreCase)]
    private static partial Regex Password();
}
