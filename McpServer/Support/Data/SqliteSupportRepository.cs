using System.Text.Json;
using Microsoft.Data.Sqlite;
using Prynai.McpServer.State;
using Prynai.McpServer.State.Stores;

namespace Prynai.McpServer.Support.Data;

/// <summary>
/// The support desk in one SQLite file (WAL mode). One table per record kind, each row the record as JSON plus the
/// columns it is looked up by: <c>id</c>, <c>customer_id</c> and <c>sort_key</c> (a day or instant, ISO 8601, so text
/// order is time order). Writers from this process queue on one gate, as in <see cref="SqliteStateStore"/>.
/// </summary>
internal sealed class SqliteSupportRepository(string path) : ISupportRepository
{
    private static readonly string[] Tables =
        ["customers", "subscriptions", "invoices", "payments", "usage", "tickets", "security_logs", "audit", "promotions", "incidents", "articles", "seed_marker"];

    private static readonly string Schema = string.Concat(Tables.Select(table =>
        $"CREATE TABLE IF NOT EXISTS {table}(id TEXT PRIMARY KEY, customer_id TEXT NULL, sort_key TEXT NOT NULL, body TEXT NOT NULL);" +
        $"CREATE INDEX IF NOT EXISTS {table}_by_customer ON {table}(customer_id, sort_key);"));

    private readonly SqliteDatabase _database = new(path, Schema, synchronousNormal: true);
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public string Kind => "sqlite";

    /// <summary>The database file (see <see cref="PrebuiltSupportData"/>).</summary>
    public string FilePath => _database.FilePath;

    /// <summary>Creates the file and its schema. Reads do not: before this has run they find no tables.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await _database.InitializeAsync(cancellationToken);
        }
        catch (Exception ex) when (SqliteDatabase.IsUnavailable(ex))
        {
            throw new StateStoreUnavailableException(Kind, ex);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task<SeedMarker?> GetSeedMarkerAsync(CancellationToken cancellationToken) =>
        (await QueryAsync<SeedMarker>("seed_marker", "id = 'seed'", cancellationToken)).FirstOrDefault();

    /// <summary>Always true: seeding is one transaction, so processes sharing the file simply seed one after the other.</summary>
    public Task<bool> TryBeginSeedingAsync(TimeSpan lease, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task ReplaceAllAsync(SupportDataSet data, SeedMarker marker, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            foreach (var table in Tables)
            {
                await ExecuteAsync(connection, transaction, $"DELETE FROM {table}", cancellationToken);
            }
            await InsertAllAsync(connection, transaction, "customers", data.Customers, c => (c.Id, c.Id, c.JoinedOn.ToString("O")), cancellationToken);
            await InsertAllAsync(connection, transaction, "subscriptions", data.Subscriptions, s => (s.Id, s.CustomerId, s.StartedOn.ToString("O")), cancellationToken);
            await InsertAllAsync(connection, transaction, "invoices", data.Invoices, i => (i.Id, i.CustomerId, i.IssuedOn.ToString("O")), cancellationToken);
            await InsertAllAsync(connection, transaction, "payments", data.Payments, p => (p.Id, OwnerOf(p.InvoiceId), p.PaidOn.ToString("O")), cancellationToken);
            await InsertAllAsync(connection, transaction, "usage", data.Usage, u => ($"{u.SubscriptionId}|{u.Day:O}", OwnerOf(u.SubscriptionId), u.Day.ToString("O")), cancellationToken);
            await InsertAllAsync(connection, transaction, "tickets", data.Tickets, t => (t.Id, t.CustomerId, Instant(t.OpenedAt)), cancellationToken);
            await InsertAllAsync(connection, transaction, "security_logs", data.SecurityLogs, l => (l.Id, l.CustomerId, Instant(l.At)), cancellationToken);
            await InsertAllAsync(connection, transaction, "promotions", data.Promotions, p => (p.Id, null, p.Id), cancellationToken);
            await InsertAllAsync(connection, transaction, "incidents", data.Incidents, i => (i.Id, null, Instant(i.StartedAt)), cancellationToken);
            await InsertAllAsync(connection, transaction, "articles", data.Articles, a => (a.Id, null, a.Id), cancellationToken);
            await InsertAllAsync(connection, transaction, "seed_marker", [marker], m => ("seed", null, Instant(m.SeededAt)), cancellationToken);
            return 0;
        }, cancellationToken);

    public async Task<Customer?> GetCustomerAsync(string customerId, CancellationToken cancellationToken) =>
        (await QueryAsync<Customer>("customers", "id = $p0", cancellationToken, customerId)).FirstOrDefault();

    public Task<IReadOnlyList<Subscription>> GetSubscriptionsAsync(string customerId, CancellationToken cancellationToken) =>
        QueryAsync<Subscription>("subscriptions", "customer_id = $p0 ORDER BY id", cancellationToken, customerId);

    public Task<IReadOnlyList<Invoice>> GetInvoicesAsync(string customerId, CancellationToken cancellationToken) =>
        QueryAsync<Invoice>("invoices", "customer_id = $p0 ORDER BY sort_key, id", cancellationToken, customerId);

    public Task<IReadOnlyList<Payment>> GetPaymentsAsync(string customerId, CancellationToken cancellationToken) =>
        QueryAsync<Payment>("payments", "customer_id = $p0 ORDER BY sort_key, id", cancellationToken, customerId);

    public Task<IReadOnlyList<UsageRecord>> GetUsageAsync(string customerId, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        QueryAsync<UsageRecord>("usage", "customer_id = $p0 AND sort_key BETWEEN $p1 AND $p2 ORDER BY sort_key, id", cancellationToken,
            customerId, from.ToString("O"), to.ToString("O"));

    public Task<IReadOnlyList<SupportTicket>> GetTicketsAsync(string customerId, CancellationToken cancellationToken) =>
        QueryAsync<SupportTicket>("tickets", "customer_id = $p0 ORDER BY sort_key, id", cancellationToken, customerId);

    public Task<SupportTicket> AddTicketAsync(SupportTicket ticket, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var existing = await QueryAsync<SupportTicket>(connection, transaction, "tickets", "customer_id = $p0", cancellationToken, ticket.CustomerId);
            var numbered = ticket with { Id = SupportIds.NextTicketId(ticket.CustomerId, existing.Select(t => t.Id)) };
            await InsertAllAsync(connection, transaction, "tickets", [numbered], t => (t.Id, t.CustomerId, Instant(t.OpenedAt)), cancellationToken);
            return numbered;
        }, cancellationToken);

    public Task<IReadOnlyList<SecurityLogEntry>> GetSecurityLogsAsync(string customerId, int limit, CancellationToken cancellationToken) =>
        QueryAsync<SecurityLogEntry>("security_logs", $"customer_id = $p0 ORDER BY sort_key DESC, id DESC LIMIT {Math.Max(0, limit)}", cancellationToken, customerId);

    public Task<IReadOnlyList<AuditEntry>> GetAuditEntriesAsync(string customerId, CancellationToken cancellationToken) =>
        QueryAsync<AuditEntry>("audit", "customer_id = $p0 ORDER BY sort_key, id", cancellationToken, customerId);

    public Task UpdateSubscriptionAsync(Subscription subscription, AuditEntry audit, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await UpdateBodyAsync(connection, transaction, "subscriptions", subscription.Id, subscription, cancellationToken);
            await InsertAllAsync(connection, transaction, "audit", [audit], a => (a.Id, a.CustomerId, Instant(a.At)), cancellationToken);
            return 0;
        }, cancellationToken);

    public Task UnlockAccountAsync(string customerId, SecurityLogEntry logEntry, AuditEntry audit, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var customer = (await QueryAsync<Customer>(connection, transaction, "customers", "id = $p0", cancellationToken, customerId)).FirstOrDefault()
                ?? throw new InvalidOperationException($"Customer {customerId} does not exist.");
            await UpdateBodyAsync(connection, transaction, "customers", customerId, customer with { AccountLocked = false }, cancellationToken);
            var logs = await QueryAsync<SecurityLogEntry>(connection, transaction, "security_logs", "customer_id = $p0", cancellationToken, customerId);
            var numberedLog = logEntry with { Id = SupportIds.NextLogId(customerId, logs.Select(l => l.Id)) };
            await InsertAllAsync(connection, transaction, "security_logs", [numberedLog], l => (l.Id, l.CustomerId, Instant(l.At)), cancellationToken);
            await InsertAllAsync(connection, transaction, "audit", [audit], a => (a.Id, a.CustomerId, Instant(a.At)), cancellationToken);
            return 0;
        }, cancellationToken);

    public Task<IReadOnlyList<Promotion>> GetPromotionsAsync(CancellationToken cancellationToken) =>
        QueryAsync<Promotion>("promotions", "1 = 1 ORDER BY id", cancellationToken);

    public Task<IReadOnlyList<Incident>> GetIncidentsAsync(CancellationToken cancellationToken) =>
        QueryAsync<Incident>("incidents", "1 = 1 ORDER BY sort_key DESC", cancellationToken);

    public Task<IReadOnlyList<KnowledgeArticle>> GetArticlesAsync(CancellationToken cancellationToken) =>
        QueryAsync<KnowledgeArticle>("articles", "1 = 1 ORDER BY id", cancellationToken);

    public async Task<KnowledgeArticle?> GetArticleAsync(string articleId, CancellationToken cancellationToken) =>
        (await QueryAsync<KnowledgeArticle>("articles", "id = $p0", cancellationToken, articleId)).FirstOrDefault();

    private static string OwnerOf(string ownedId) => ownedId[..5];

    private static string Instant(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'");

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string table, string where, CancellationToken cancellationToken, params object[] parameters)
    {
        try
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            return await QueryAsync<T>(connection, null, table, where, cancellationToken, parameters);
        }
        catch (Exception ex) when (SqliteDatabase.IsUnavailable(ex))
        {
            throw new StateStoreUnavailableException(Kind, ex);
        }
    }

    private static async Task<IReadOnlyList<T>> QueryAsync<T>(SqliteConnection connection, SqliteTransaction? transaction, string table, string where,
        CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT body FROM {table} WHERE {where}";
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue($"$p{i}", parameters[i]);
        }
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(JsonSerializer.Deserialize<T>(reader.GetString(0), SupportJson.Options)!);
        }
        return rows;
    }

    private static async Task InsertAllAsync<T>(SqliteConnection connection, SqliteTransaction transaction, string table, IEnumerable<T> records,
        Func<T, (string Id, string? CustomerId, string SortKey)> keys, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {table}(id, customer_id, sort_key, body) VALUES($id, $customer, $sort, $body)";
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var customer = command.Parameters.Add("$customer", SqliteType.Text);
        var sort = command.Parameters.Add("$sort", SqliteType.Text);
        var body = command.Parameters.Add("$body", SqliteType.Text);
        foreach (var record in records)
        {
            var (recordId, customerId, sortKey) = keys(record);
            id.Value = recordId;
            customer.Value = (object?)customerId ?? DBNull.Value;
            sort.Value = sortKey;
            body.Value = JsonSerializer.Serialize(record, SupportJson.Options);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task UpdateBodyAsync<T>(SqliteConnection connection, SqliteTransaction transaction, string table, string id, T record, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"UPDATE {table} SET body = $body WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(record, SupportJson.Options));
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new InvalidOperationException($"{table} has no record {id}.");
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs <paramref name="write"/> in one transaction, after this process's earlier writers.</summary>
    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var result = await write(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        catch (Exception ex) when (SqliteDatabase.IsUnavailable(ex))
        {
            throw new StateStoreUnavailableException(Kind, ex);
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
