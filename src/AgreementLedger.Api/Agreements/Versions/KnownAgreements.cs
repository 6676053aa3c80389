using AgreementLedger.Ledger;
using Npgsql;

namespace AgreementLedger.Agreements.Versions;

/// <summary>
/// The agreements as known at an instant, filtered, in id order after a cursor: the list's and the
/// portfolio's <c>asOf</c>. Read from the version rows (<see cref="AgreementVersionRows"/>) by one indexed
/// query, so a page costs what it shows and a filter that matches nothing reads next to nothing, whatever
/// the ledger holds (docs/api.md "Queries"). Until the rows cover every stored version (a ledger stored
/// before they existed, not yet filled), folded from the events instead (<see cref="PointInTime.PortfolioAsync"/>),
/// which answers the same.
/// </summary>
public sealed class KnownAgreements(NpgsqlDataSource db, LedgerSchema schema, StoredEvents events)
{
    /// <summary>Once the rows cover every version they always will: asked of the database until then.</summary>
    private volatile bool _filled;

    /// <summary>
    /// At most <paramref name="count"/> agreements (all when null) as known at <paramref name="asOf"/> that pass
    /// <paramref name="filter"/>, after <paramref name="afterId"/> in id order. They hold what the list and the
    /// portfolio show (id, version, title, kind, areas, proposedOn, status, parties, signatories' parties and days).
    /// </summary>
    public async Task<IReadOnlyList<Agreement>> ReadAsync(DateTimeOffset asOf, ListFilter filter, string? afterId, int? count, CancellationToken ct)
    {
        if (!_filled)
        {
            _filled = await AgreementVersionRows.FilledAsync(db, schema, ct);
        }

        return _filled ? await FromRowsAsync(asOf, filter, afterId, count, ct) : await FoldedAsync(asOf, filter, afterId, count, ct);
    }

    /// <summary>The same answer, always folded from the events: what the rows must agree with.</summary>
    public async Task<IReadOnlyList<Agreement>> FoldedAsync(DateTimeOffset asOf, ListFilter filter, string? afterId, int? count, CancellationToken ct)
    {
        var passes = filter.Compiled();
        var page = new List<Agreement>();
        await foreach (var agreement in PointInTime.PortfolioAsync(events, asOf, afterId, ct))
        {
            if (passes(agreement))
            {
                page.Add(agreement);
                if (page.Count == count)
                {
                    break;
                }
            }
        }

        return page;
    }

    /// <summary>The query <see cref="FromRowsAsync"/> runs, with its parameters' values: also what a test explains.</summary>
    public (string Sql, IReadOnlyList<object> Values) Query(DateTimeOffset asOf, ListFilter filter, string? afterId, int? count)
    {
        var values = new List<object> { asOf };
        string Next(object value)
        {
            values.Add(value);
            return "$" + values.Count;
        }

        var where = new List<string> { "recorded_at <= $1", "(superseded_at is null or superseded_at > $1)" };
        if (afterId is not null)
        {
            where.Add($"agreement_id > {Next(afterId)}");
        }

        if (filter.Party is { } party)
        {
            where.Add($"parties @> {Next(new[] { party })}");
        }

        if (filter.Status is { } status)
        {
            where.Add($"status = {Next(status.ToString())}");
        }

        if (filter.Area is { } area)
        {
            where.Add($"areas @> {Next(new[] { area })}");
        }

        if (filter.Kind is { } kind)
        {
            where.Add($"kind = {Next(kind)}");
        }

        var sql = "select agreement_id, version, recorded_at, title, kind, status, parties, areas, proposed_on, signed_by, signed_on " +
            $"from {schema.Events}.{AgreementVersionRows.TableName} where {string.Join(" and ", where)} order by agreement_id" +
            (count is { } n ? $" limit {Next(n)}" : "");
        return (sql, values);
    }

    private async Task<IReadOnlyList<Agreement>> FromRowsAsync(DateTimeOffset asOf, ListFilter filter, string? afterId, int? count, CancellationToken ct)
    {
        var (sql, values) = Query(asOf, filter, afterId, count);
        await using var command = db.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        var page = new List<Agreement>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var signedBy = reader.GetFieldValue<string[]>(9);
            var signedOn = reader.GetFieldValue<DateOnly[]>(10);
            page.Add(new Agreement
            {
                Id = reader.GetString(0),
                Version = reader.GetInt64(1),
                LastRecordedAt = reader.GetFieldValue<DateTimeOffset>(2),
                Title = reader.GetString(3),
                Kind = reader.GetString(4),
                Areas = [.. reader.GetFieldValue<string[]>(7)],
                ProposedOn = reader.GetFieldValue<DateOnly>(8),
                Lifecycle = LifecycleState.Empty with
                {
                    Proposed = true,
                    Status = Enum.Parse<AgreementStatus>(reader.GetString(5)),
                    Parties = [.. reader.GetFieldValue<string[]>(6)],
                    Signatories = [.. signedBy.Zip(signedOn, (party, day) => new Signatory(party, day, null, null))],
                },
            });
        }

        return page;
    }
}
