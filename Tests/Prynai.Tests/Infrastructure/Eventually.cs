namespace Prynai.Tests.Infrastructure;

/// <summary>Waits for something that happens asynchronously (a notification, an expiry), failing after a timeout.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail(because ?? "The condition did not become true in time.");
            }
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
