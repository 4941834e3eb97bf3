using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using Microsoft.Data.Sqlite;
using Prynai.Tests.Infrastructure;
using StackExchange.Redis;

namespace Prynai.Tests.State;

/// <summary>
/// Records as an earlier Prynai wrote them, byte for byte, kept under <c>GoldenRecords/format-N/&lt;store&gt;.json</c>
/// (how they were captured: GoldenRecords/README.md), and written back into a real backend exactly as they were, so
/// the current code must read them. Only the backends' own expiry clocks are moved: a record's expiry is compared
/// with the store's clock (SQLite and Cosmos DB through the reader's TimeProvider, which the tests pin to the capture
/// time; Redis with its server clock, so a Redis key gets no TTL and an event's expiry is moved an hour ahead).
/// </summary>
internal sealed class GoldenRecords
{
    private GoldenRecords(JsonObject document) => Document = document;

    public JsonObject Document { get; }

    public string Store => Document["store"]!.GetValue<string>();

    public string SessionId => Document["sessionId"]!.GetValue<string>();

    public string Task(string kind) => Document["tasks"]![kind]!.GetValue<string>();

    public DateTimeOffset CapturedAt => DateTimeOffset.Parse(Document["capturedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    public JsonNode Records => Document["records"]!;

    public static GoldenRecords Load(string format, string store) =>
        new(JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "State", "GoldenRecords", format, $"{store}.json")))!.AsObject());

    /// <summary>
    /// The same records as a newer revision might write them: every JSON record (a Cosmos DB document, a session record
    /// in a value, a task body in a hash or row, a live-index entry) and every object inside it gains fields this code
    /// does not know and a format number from the future; Redis task hashes gain a field, SQLite tables a column. The
    /// notifications an event log holds are payloads sent to clients as they are, not records: they stay as they were.
    /// </summary>
    public GoldenRecords WithFieldsFromTheFuture()
    {
        var copy = Document.DeepClone().AsObject();
        var records = copy["records"]!;
        switch (Store)
        {
            case "sqlite":
                records["schema"]!.AsArray().Add("ALTER TABLE tasks ADD COLUMN added_by_the_future TEXT NULL");
                foreach (var row in records["entries"]!.AsArray().Concat(records["tasks"]!.AsArray()).Select(r => r!.AsObject()))
                {
                    foreach (var column in new[] { "value", "body" })
                    {
                        if (row[column] is { } text)
                        {
                            row[column] = ExtendJsonText(text);
                        }
                    }
                }
                break;
            case "redis":
                foreach (var record in records.AsArray().Select(r => r!.AsObject()))
                {
                    if (record["value"] is JsonObject hash)
                    {
                        foreach (var (field, value) in hash.ToList())
                        {
                            hash[field] = ExtendJsonText(value!);
                        }
                        if (hash.ContainsKey("body"))
                        {
                            hash["addedByTheFuture"] = "1";
                        }
                    }
                    else if (record["type"]!.GetValue<string>() == "string")
                    {
                        record["value"] = ExtendJsonText(record["value"]!);
                    }
                }
                break;
            default:
                copy["records"] = new JsonArray([.. records.AsArray().Select(document =>
                {
                    var extended = AddUnknownFields(document!.DeepClone()).AsObject();
                    if (extended["events"] is JsonArray events)
                    {
                        // Extended as entries, but each entry's data (the notification) as it was.
                        var original = document!["events"]!.AsArray();
                        for (var i = 0; i < events.Count; i++)
                        {
                            events[i]!["data"] = original[i]!["data"]!.DeepClone();
                        }
                    }
                    return (JsonNode)extended;
                })]);
                break;
        }
        return new GoldenRecords(copy);
    }

    /// <summary>A JSON object held as text gets unknown fields; any other text stays as it is.</summary>
    private static JsonNode ExtendJsonText(JsonNode value) =>
        value is JsonValue text && text.TryGetValue(out string? json) && json.StartsWith('{') && TryParse(json) is JsonObject record
            ? JsonValue.Create(AddUnknownFields(record).ToJsonString())!
            : value.DeepClone();

    /// <summary>Properties whose objects are maps (keys are data) or protocol payloads kept as sent: not records, left alone.</summary>
    private static readonly HashSet<string> Payloads = new(StringComparer.Ordinal)
    {
        "InputRequests", "InputResponses", "Arguments", "Result", "Error", "capabilities",
    };

    private static JsonNode AddUnknownFields(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (value is not null && !Payloads.Contains(name))
                    {
                        obj[name] = AddUnknownFields(value.DeepClone());
                    }
                }
                obj["format"] ??= 99;
                obj["addedByARevisionFromTheFuture"] = new JsonObject { ["nested"] = new JsonArray(1, "two", null), ["flag"] = true };
                return obj;
            case JsonArray array:
                return new JsonArray([.. array.Select(item => item is null ? null : AddUnknownFields(item.DeepClone()))]);
            default:
                return node.DeepClone();
        }
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Creates the SQLite file the records came from: the captured schema, then every row as it was.</summary>
    public void WriteSqlite(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        foreach (var statement in Records["schema"]!.AsArray().Select(s => s!.GetValue<string>()).Where(s => !s.Contains("sqlite_sequence", StringComparison.Ordinal)))
        {
            Execute(connection, statement);
        }
        foreach (var table in new[] { "counters", "entries", "events", "tasks" })
        {
            foreach (var row in Records[table]!.AsArray().Select(r => r!.AsObject()))
            {
                using var insert = connection.CreateCommand();
                var columns = row.Select(column => column.Key).ToList();
                insert.CommandText = $"INSERT INTO {table}({string.Join(", ", columns)}) VALUES({string.Join(", ", columns.Select((_, i) => $"$p{i}"))})";
                for (var i = 0; i < columns.Count; i++)
                {
                    insert.Parameters.AddWithValue($"$p{i}", row[columns[i]] switch
                    {
                        null => DBNull.Value,
                        JsonValue v when v.TryGetValue(out long l) => l,
                        JsonValue v => v.GetValue<string>(),
                        var other => other.ToJsonString(),
                    });
                }
                insert.ExecuteNonQuery();
            }
        }
    }

    /// <summary>
    /// Writes every key with its captured type and content, replacing what is there (no TTL; event expiries an hour
    /// ahead of the server's clock).
    /// </summary>
    public async Task WriteRedisAsync(IDatabase db)
    {
        var now = await db.ExecuteAsync("TIME");
        var serverMs = long.Parse(((RedisResult[])now!)[0].ToString(), CultureInfo.InvariantCulture) * 1000;
        foreach (var record in Records.AsArray().Select(r => r!.AsObject()))
        {
            var key = record["key"]!.GetValue<string>();
            var value = record["value"]!;
            await db.KeyDeleteAsync(key); // the other case of the same test wrote it before
            switch (record["type"]!.GetValue<string>())
            {
                case "string":
                    await db.StringSetAsync(key, value.GetValue<string>());
                    break;
                case "hash":
                    await db.HashSetAsync(key, [.. value.AsObject().Select(field => new HashEntry(field.Key, field.Value!.GetValue<string>()))]);
                    break;
                case "set":
                    await db.SetAddAsync(key, [.. value.AsArray().Select(member => (RedisValue)member!.GetValue<string>())]);
                    break;
                case "sortedset":
                    foreach (var entry in value.AsArray().Select(e => e!.AsObject()))
                    {
                        // Members are "id:expiresAtMs:data": only the expiry moves.
                        var member = entry["member"]!.GetValue<string>();
                        var first = member.IndexOf(':', StringComparison.Ordinal);
                        var second = member.IndexOf(':', first + 1);
                        var moved = string.Concat(member.AsSpan(0, first + 1), (serverMs + 3_600_000).ToString(CultureInfo.InvariantCulture), member.AsSpan(second));
                        await db.SortedSetAddAsync(key, moved, double.Parse(entry["score"]!.GetValue<string>(), CultureInfo.InvariantCulture));
                    }
                    break;
                default:
                    throw new InvalidOperationException($"Unknown Redis type in the golden records: {record["type"]}");
            }
        }
    }

    /// <summary>Writes every document as it was (Cosmos DB adds only its system properties).</summary>
    public async Task WriteCosmosAsync(Container container)
    {
        foreach (var document in Records.AsArray().Select(d => d!.AsObject()))
        {
            var id = document["id"]!.GetValue<string>();
            using var content = new MemoryStream(Encoding.UTF8.GetBytes(document.ToJsonString()));
            using var response = await container.UpsertItemStreamAsync(content, new PartitionKey(id));
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Could not write golden document {id}: {response.StatusCode} {response.ErrorMessage}");
            }
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

/// <summary>A clock stopped at one instant: golden records are read as of their capture, however long ago that was.</summary>
internal sealed class PinnedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
