namespace Prynai.McpServer.Tasks;

/// <summary>The one wording of a refused task, whichever store counted.</summary>
internal static class TaskLimitMessages
{
    public static void ThrowIfExceeded(long requesterLive, long totalLive, TaskLimits limits)
    {
        if (requesterLive >= limits.PerRequester)
        {
            throw new TaskLimitExceededException(
                $"You already have {requesterLive} tasks running or waiting for input, the most one caller may have (Tasks:MaxLiveTasksPerCaller = {limits.PerRequester}). " +
                "Wait for one to finish, or cancel one with tasks/cancel, then call the tool again.");
        }
        if (totalLive >= limits.Total)
        {
            throw new TaskLimitExceededException(
                $"The server already runs {totalLive} tasks, its limit (Tasks:MaxLiveTasks = {limits.Total}). Try again in a little while.");
        }
    }
}
