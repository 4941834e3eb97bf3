namespace Prynai.Tests.Infrastructure;

/// <summary>One in-process server (default settings) shared by a test class.</summary>
public sealed class SharedServer : IDisposable
{
    public PrynaiServerFactory Factory { get; } = new();

    public void Dispose() => Factory.Dispose();
}
