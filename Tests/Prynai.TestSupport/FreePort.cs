using System.Net;
using System.Net.Sockets;

namespace Prynai.TestSupport;

public static class FreePort
{
    // Below the ephemeral ranges (Linux 32768–60999, Windows and macOS 49152–65535): a port handed out here cannot be
    // taken by an outgoing connection before the server binds it, which port 0 cannot promise while the tests open
    // thousands of connections.
    private const int First = 20000;
    private const int Count = 12000;

    private static int s_next = Random.Shared.Next(Count);

    /// <summary>A loopback TCP port nothing listens on right now; never the same one twice in a process.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref s_next) % Count);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: the next one.
            }
        }
        throw new InvalidOperationException($"No free loopback port in {First}–{First + Count - 1}.");
    }
}
