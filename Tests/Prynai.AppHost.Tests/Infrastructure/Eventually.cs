namespace Prynai.AppHost.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>Polls until the condition holds; OTLP exports arrive on the exporters' schedule (1 s in Development).</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
