using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Prynai.McpServer.State;
using StackExchange.Redis;

namespace Prynai.McpServer.Tasks.Stores;

/// <summary>
/// Tasks in Redis: a hash per task (<c>prynai:task:{id}</c>: version and JSON body, expiring with the task), a hash of
/// live tasks (<c>prynai:tasks:live</c>) and a set of live task ids per caller. Every write is one Lua script, so the
/// limit check and the insert, or the version check and the update, happen as one atomic step.
/// </summary>
internal sealed class RedisTaskStore(IConnectionMultiplexer connection, TimeProvider time) : ITaskStore
{
    private const string TaskPrefix = "prynai:task:";
    private const string LiveKey = "prynai:tasks:live";
    private const string CallerPrefix = "prynai:tasks:caller:";

    // KEYS: task, live, caller. ARGV: id, body, expiresAt (unix ms), live entry, per-caller limit, total limit, task prefix, caller set TTL (ms).
    // Ids whose task expired without ending (every replica gone) are pruned before they are counted against a limit.
    private const string CreateScript = """
        local function prune(key, members)
          for _, other in ipairs(members) do
            if redis.call('EXISTS', ARGV[7] .. other) == 0 then
              redis.call('HDEL', KEYS[2], other)
              if key == KEYS[3] then redis.call('SREM', KEYS[3], other) end
            end
          end
        end
        local mine = redis.call('SCARD', KEYS[3])
        if mine >= tonumber(ARGV[5]) then prune(KEYS[3], redis.call('SMEMBERS', KEYS[3])); mine = redis.call('SCARD', KEYS[3]) end
        local total = redis.call('HLEN', KEYS[2])
        if total >= tonumber(ARGV[6]) then prune(KEYS[2], redis.call('HKEYS', KEYS[2])); total = redis.call('HLEN', KEYS[2]) end
        if mine >= tonumber(ARGV[5]) or total >= tonumber(ARGV[6]) then return {0, mine, total} end
        redis.call('HSET', KEYS[1], 'v', 1, 'body', ARGV[2])
        redis.call('PEXPIREAT', KEYS[1], ARGV[3])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
        redis.call('SADD', KEYS[3], ARGV[1])
        if redis.call('PTTL', KEYS[3]) < tonumber(ARGV[8]) then redis.call('PEXPIRE', KEYS[3], ARGV[8]) end
        return {1, mine, total}
        """;

    // KEYS: task, live, caller. ARGV: expected version, body, expiresAt (unix ms), live ("1"/"0"), live entry, id.
    // Returns the new version, 0 when another writer got there first, -1 when the task is gone.
    private const string UpdateScript = """
        local v = redis.call('HGET', KEYS[1], 'v')
        if not v then return -1 end
        if v ~= ARGV[1] then return 0 end
        local next = tonumber(v) + 1
        redis.call('HSET', KEYS[1], 'v', next, 'body', ARGV[2])
        redis.call('PEXPIREAT', KEYS[1], ARGV[3])
        if ARGV[4] == '1' then
          redis.call('HSET', KEYS[2], ARGV[6], ARGV[5])
          redis.call('SADD', KEYS[3], ARGV[6])
        else
          redis.call('HDEL', KEYS[2], ARGV[6])
          redis.call('SREM', KEYS[3], ARGV[6])
        end
        return next
        """;

    // KEYS: task, live, caller. ARGV: id.
    private const string DeleteScript = """
        redis.call('DEL', KEYS[1])
        redis.call('HDEL', KEYS[2], ARGV[1])
        redis.call('SREM', KEYS[3], ARGV[1])
        return 1
        """;

    // KEYS: live. ARGV: task prefix. The live entries whose task still exists; the others are dropped.
    private const string ListLiveScript = """
        local out = {}
        local all = redis.call('HGETALL', KEYS[1])
        for i = 1, #all, 2 do
          if redis.call('EXISTS', ARGV[1] .. all[i]) == 1 then
            table.insert(out, all[i + 1])
          else
            redis.call('HDEL', KEYS[1], all[i])
          end
        end
        return out
        """;

    public string Kind => "redis";

    public async Task CreateAsync(TaskRecord task, TaskLimits limits, CancellationToken cancellationToken)
    {
        var outcome = (RedisResult[])(await RunAsync(db => db.ScriptEvaluateAsync(CreateScript, Keys(task.Id, task.Requester),
        [
            task.Id, Body(task), task.ExpiresAt.ToUnixTimeMilliseconds(), LiveEntry(task), limits.PerRequester, limits.Total, TaskPrefix,
            Math.Max(1, (long)(task.ExpiresAt - time.GetUtcNow()).TotalMilliseconds),
        ])))!;
        if ((long)outcome[0] == 0)
        {
            TaskLimitMessages.ThrowIfExceeded((long)outcome[1], (long)outcome[2], limits);
        }
    }

    public async Task<TaskRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var fields = await RunAsync(db => db.HashGetAsync(TaskPrefix + id, ["v", "body"]));
        if (fields[0].IsNull || fields[1].IsNull)
        {
            return null;
        }
        var task = JsonSerializer.Deserialize((string)fields[1]!, TaskRecordJson.Default.TaskRecord)!;
        return task.ExpiresAt <= time.GetUtcNow() ? null : task with { Version = (string)fields[0]! };
    }

    public async Task<TaskUpdate?> UpdateAsync(string id, Func<TaskRecord, TaskRecord?> change, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await GetAsync(id, cancellationToken) is not { } current)
            {
                return null;
            }
            if (change(current) is not { } changed)
            {
                return new TaskUpdate(current, false);
            }
            var version = (long)await RunAsync(db => db.ScriptEvaluateAsync(UpdateScript, Keys(id, current.Requester),
                [current.Version, Body(changed), changed.ExpiresAt.ToUnixTimeMilliseconds(), changed.IsLive ? "1" : "0", LiveEntry(changed), id]));
            if (version < 0)
            {
                return null;
            }
            if (version > 0)
            {
                return new TaskUpdate(changed with { Version = version.ToString(CultureInfo.InvariantCulture) }, true);
            }
        }
    }

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (await GetAsync(id, cancellationToken) is { } task)
        {
            await RunAsync(db => db.ScriptEvaluateAsync(DeleteScript, Keys(id, task.Requester), [id]));
        }
    }

    public async Task<IReadOnlyList<LiveTask>> ListLiveAsync(CancellationToken cancellationToken)
    {
        var entries = (RedisResult[])(await RunAsync(db => db.ScriptEvaluateAsync(ListLiveScript, [LiveKey], [TaskPrefix])))!;
        return [.. entries.Select(entry => JsonSerializer.Deserialize((string)entry!, TaskRecordJson.Default.LiveTask)!)];
    }

    private static RedisKey[] Keys(string id, string requester) => [TaskPrefix + id, LiveKey, CallerPrefix + CallerKey(requester)];

    /// <summary>A fixed-length key part for any identity (issuer URLs and subjects can be long or contain anything).</summary>
    private static string CallerKey(string requester) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(requester)), 0, 16);

    private static string Body(TaskRecord task) => JsonSerializer.Serialize(task.ForStorage(), TaskRecordJson.Default.TaskRecord);

    private static string LiveEntry(TaskRecord task) => JsonSerializer.Serialize(task.ToLive(), TaskRecordJson.Default.LiveTask);

    private async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> operation)
    {
        try
        {
            return await operation(connection.GetDatabase());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new StateStoreUnavailableException("redis", ex);
        }
    }
}
