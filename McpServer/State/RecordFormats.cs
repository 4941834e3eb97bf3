using System.Text.Json.Nodes;

namespace Prynai.McpServer.State;

/// <summary>
/// The format of every record Prynai keeps in a store, and the one convention they all follow (docs/state.md,
/// "Record formats"), so revisions that run side by side — and a rollback — read each other's records:
/// <list type="bullet">
/// <item>a JSON record carries its format number in a top-level <c>"format"</c> property (<see cref="Property"/>);</item>
/// <item>a record without one is format 1 (<see cref="Unnumbered"/>), as written before formats were numbered;</item>
/// <item>a newer format only adds fields, and a reader ignores fields it does not know and reads any format number,
/// older ones through what their number says is missing;</item>
/// <item>a change an older reader cannot ignore gets a new key (prefix), never a new number on the old key;</item>
/// <item>values kept in a store's own types (a Redis INCRBY counter, an event log's entries) have no room for a
/// number: their layout is format 1 of their key, and only a new key changes it.</item>
/// </list>
/// Each record kind has one constant here; raise it when the kind gains a field whose absence means something.
/// </summary>
public static class RecordFormats
{
    public const string Property = "format";

    /// <summary>Records written before formats were numbered.</summary>
    public const int Unnumbered = 1;

    /// <summary><c>prynai:session:{id}</c>. 2: <c>surface</c>, the tool, prompt and resource lists the session was last shown.</summary>
    public const int Session = 2;

    /// <summary><c>prynai:task:{id}</c>. 2: a working task without an owner was handed over by a draining replica and waits to be claimed.</summary>
    public const int Task = 2;

    /// <summary>An entry of the live-task index. 2: <c>Status</c>.</summary>
    public const int LiveTask = 2;

    /// <summary><c>prynai:revision:{name}</c> and the index <c>prynai:revisions</c>: which revisions run, and what each serves.</summary>
    public const int Revision = 1;

    /// <summary><c>prynai:signin:*</c>: pending authorizations, consents, grants (refresh families), registered clients.</summary>
    public const int SignIn = 1;

    /// <summary>A Cosmos DB document holding a store primitive: a counter, a value, an event log, a change-feed event.</summary>
    public const int CosmosDocument = 1;

    /// <summary>The format of a JSON record: its number, or <see cref="Unnumbered"/> when it has none.</summary>
    public static int Of(JsonObject record) =>
        record[Property] is JsonValue value && value.TryGetValue(out int format) ? format : Unnumbered;

    /// <summary>The format of a typed record whose number was read into a nullable property.</summary>
    public static int Of(int? format) => format ?? Unnumbered;

    /// <summary>Writes the format number into a JSON record (as its first property when it is new) and returns the record.</summary>
    public static JsonObject Stamp(JsonObject record, int format)
    {
        record[Property] = format;
        return record;
    }
}
