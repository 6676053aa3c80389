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

        const string Shown = "v.agreement_id, v.version, v.recorded_at, v.title, v.kind, v.status, v.parties, v.areas, v.proposed_on, v.signed_by, v.signed_on";
        var versions = $"{schema.Events}.{AgreementVersionRows.TableName} v";
        var checks = new List<string>();
        if (filter.Party is { } party)
        {
            checks.Add($"v.parties @> {Next(new[] { party })}");
        }

        if (filter.Area is { } area)
        {
            checks.Add($"v.areas @> {Next(new[] { area })}");
        }

        if (filter.Kind is { } kind)
        {
            checks.Add($"v.kind = {Next(kind)}");
        }

        if (filter.Status is { } status)
        {
            checks.Add($"v.status = {Next(status.ToString())}");
        }

        // The agreements that may pass (by party, else area, else kind, else status, else all), in id order, each with
        // its newest version recorded by then, found by the primary key (the lateral's limit keeps it a nested
        // loop), and checked against every filter.
        var (facet, value) = filter.Party is { } p ? (AgreementVersionRows.PartyFacet, p)
            : filter.Area is { } a ? (AgreementVersionRows.AreaFacet, a)
            : filter.Kind is { } k ? (AgreementVersionRows.KindFacet, k)
            : filter.Status is { } s ? (AgreementVersionRows.StatusFacet, s.ToString())
            : (AgreementVersionRows.AnyFacet, "");
        var walk = new List<string> { $"f.facet = {Next(facet)}", $"f.value = {Next(value)}" };
        if (afterId is not null)
        {
            walk.Add($"f.agreement_id > {Next(afterId)}");
        }

        var sql = $"select {Shown} from {schema.Events}.{AgreementVersionRows.FacetsTableName} f cross join lateral " +
            $"(select {Shown} from {versions} where v.agreement_id = f.agreement_id and v.recorded_at <= $1 order by v.version desc limit 1) v " +
            $"where {string.Join(" and ", walk.Concat(checks))} order by f.agreement_id";
        sql += count is { } n ? $" limit {Next(n)}" : "";
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
