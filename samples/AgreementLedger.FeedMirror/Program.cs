// A downstream service built on AgreementLedger.Client: it mirrors every event of the ledger into
// a table of its own PostgreSQL database, exactly once, across restarts of itself and of the
// ledger. The position to resume from is stored in the same transaction as the rows it covers,
// so a crash between the two cannot happen: after a restart the feed resumes where the last
// committed batch ended.
//
//   LEDGER_URL=http://localhost:5080 LEDGER_TOKEN=… MIRROR_DATABASE="Host=…;Database=…" \
//     dotnet run --project samples/AgreementLedger.FeedMirror
using AgreementLedger.Client;
using Npgsql;

var ledgerUrl = Environment.GetEnvironmentVariable("LEDGER_URL") ?? "http://localhost:5080";
var token = Environment.GetEnvironmentVariable("LEDGER_TOKEN");
var database = Environment.GetEnvironmentVariable("MIRROR_DATABASE")
    ?? throw new InvalidOperationException("Set MIRROR_DATABASE to the Npgsql connection string of the mirror's database.");

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

await using var mirror = NpgsqlDataSource.Create(database);
await using (var schema = mirror.CreateCommand("""
    create table if not exists mirrored_events (
        position bigint not null,        -- no key on purpose: a repeat would show as a second row
        agreement_id text not null,
        version bigint not null,
        type text not null,
        hash text not null,
        mirrored_at timestamptz not null default now());
    create table if not exists mirror_position (
        only_row boolean primary key default true check (only_row),
        position bigint not null);
    """))
{
    await schema.ExecuteNonQueryAsync(stop.Token);
}

long after;
await using (var read = mirror.CreateCommand("select coalesce((select position from mirror_position), 0)"))
{
    after = (long)(await read.ExecuteScalarAsync(stop.Token))!;
}

Console.WriteLine($"Mirroring {ledgerUrl} after position {after}");
using var http = new HttpClient { BaseAddress = new Uri(ledgerUrl), Timeout = TimeSpan.FromSeconds(30) };
var client = new LedgerClient(http, new LedgerClientOptions { AccessToken = _ => ValueTask.FromResult(token) });
var follower = new FeedFollower(client, new FeedFollowerOptions
{
    OnReconnect = (e, wait) => Console.WriteLine($"Reconnecting in {wait.TotalSeconds:0.#} s: {e.Message}"),
});

try
{
    await follower.RunAsync(after, async (batch, ct) =>
    {
        await using var connection = await mirror.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var write = new NpgsqlBatch(connection, transaction);
        foreach (var e in batch.Events)
        {
            write.BatchCommands.Add(new NpgsqlBatchCommand(
                "insert into mirrored_events (position, agreement_id, version, type, hash) values ($1, $2, $3, $4, $5)")
            {
                Parameters = { new() { Value = e.Position }, new() { Value = e.AgreementId }, new() { Value = e.Version }, new() { Value = e.Type }, new() { Value = e.Hash } },
            });
        }

        write.BatchCommands.Add(new NpgsqlBatchCommand(
            "insert into mirror_position (position) values ($1) on conflict (only_row) do update set position = excluded.position")
        {
            Parameters = { new() { Value = batch.Position } },
        });
        await write.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        Console.WriteLine($"Mirrored {batch.Events.Count} events; position {batch.Position}");
    }, stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.WriteLine("Stopped.");
}
