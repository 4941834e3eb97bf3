using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Prynai.Tests.Infrastructure.SharedBrowser))]

namespace Prynai.Tests.Infrastructure;

/// <summary>
/// One headless Chromium for the whole test run (Debian's <c>chromium</c>, driven by Playwright; Playwright's own
/// browser download cannot be used here), started on first use. Each test takes its own context (cookies, pages).
/// </summary>
public sealed class SharedBrowser : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task<IBrowserContext> NewContextAsync(string? standInUser = null)
    {
        await _gate.WaitAsync();
        try
        {
            if (_browser is null)
            {
                // Installed like the other Debian servers when missing (apt-get, as root; .ci/run installs it up front).
                Assert.Equal(ExecutablePath, await DebianPackages.EnsureAsync("chromium", "chromium"));
                _playwright = await Playwright.CreateAsync();
                _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = ExecutablePath,
                    Headless = true,
                    Args = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--disable-default-apps", "--no-first-run", "--disable-features=Translate,OptimizationHints,MediaRouter", "--metrics-recording-only"],
                });
            }
        }
        finally
        {
            _gate.Release();
        }
        // The stand-in's certificate is self-signed for loopback; nothing else is reached.
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        if (standInUser is not null)
        {
            await context.AddCookiesAsync([new Cookie { Name = "standin_user", Value = standInUser, Domain = "127.0.0.1", Path = "/" }]);
        }
        return context;
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}
