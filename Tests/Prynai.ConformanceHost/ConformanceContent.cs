namespace Prynai.ConformanceHost;

/// <summary>The fixed payloads the official MCP conformance suite expects from its fixtures.</summary>
internal static class ConformanceContent
{
    /// <summary>A 1x1 red PNG.</summary>
    public const string PngBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

    /// <summary>A minimal WAV file.</summary>
    public const string WavBase64 = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

    public static byte[] Png => Convert.FromBase64String(PngBase64);

    public static byte[] Wav => Convert.FromBase64String(WavBase64);
}
