using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Prompts;

/// <summary>Suggests values for one prompt or resource-template argument; null when it does not know that argument.</summary>
public interface ICompletionSource
{
    IReadOnlyList<string>? Complete(Reference reference, string argument, string typed);
}

/// <summary>completion/complete: asks each registered <see cref="ICompletionSource"/>; an unknown argument gets no values.</summary>
public static class Completions
{
    public static ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> request, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> values = [];
        if (request.Params is { Ref: { } reference, Argument: { Name: { } name } argument })
        {
            foreach (var source in request.Services?.GetServices<ICompletionSource>() ?? [])
            {
                if (source.Complete(reference, name, argument.Value ?? "") is { } found)
                {
                    values = found;
                    break;
                }
            }
        }
        return ValueTask.FromResult(new CompleteResult
        {
            Completion = new Completion { Values = [.. values.Take(100)], Total = values.Count, HasMore = values.Count > 100 },
        });
    }
}
