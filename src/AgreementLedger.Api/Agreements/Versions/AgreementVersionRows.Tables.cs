using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace AgreementLedger.Agreements.Versions;

/// <summary>The tables of <see cref="AgreementVersionRows"/>: their names, facets and definitions (Weasel creates them).</summary>
public static partial class AgreementVersionRows
{
    public const string TableName = "agreement_versions";

    /// <summary>
    /// <c>ledger.agreement_facets</c>: one row per agreement (facet <see cref="AnyFacet"/>) and per kind, party and
    /// area it has had at any version, keyed (facet, value, agreement_id), so that a page walks, in id order, only
    /// the agreements that may pass its filter, and looks up each one's version as known at t by key: whatever the
    /// planner knows of the data (an array index would leave it to choose between that and a walk of every
    /// version). The version found is checked against the filters again (a party may have joined after t).
    /// Insert-only: an agreement never loses a party, an area, its kind or a status it once had.
    /// </summary>
    public const string FacetsTableName = "agreement_facets";

    public const string AnyFacet = "agreement";

    public const string KindFacet = "kind";

    public const string PartyFacet = "party";

    public const string AreaFacet = "area";

    public const string StatusFacet = "status";

    /// <summary>One row once the rows cover every version stored (a ledger stored before the table existed, until filled, has none).</summary>
    public const string FilledTableName = "agreement_versions_filled";

    public static Table Definition(string schemaName)
    {
        var table = new Table(new PostgresqlObjectName(schemaName, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("agreement_id").AsPrimaryKey();
        table.AddColumn<long>("version").AsPrimaryKey();
        table.AddColumn("recorded_at", "timestamp with time zone").NotNull();
        table.AddColumn("title", "text").NotNull();
        table.AddColumn("kind", "text").NotNull();
        table.AddColumn("status", "text").NotNull();
        table.AddColumn("parties", "text[]").NotNull();
        table.AddColumn("areas", "text[]").NotNull();
        table.AddColumn("proposed_on", "date").NotNull();
        // The portfolio's "signed, signedOn" per party: the signatories' parties and days, in the same order.
        table.AddColumn("signed_by", "text[]").NotNull();
        table.AddColumn("signed_on", "date[]").NotNull();
        // A page walks the facets in id order and finds each agreement's version by the primary key, newest first.
        return table;
    }

    public static Table FacetsDefinition(string schemaName)
    {
        var table = new Table(new PostgresqlObjectName(schemaName, FacetsTableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn("facet", "text").AsPrimaryKey();
        table.AddColumn("value", "text").AsPrimaryKey();
        table.AddColumn<string>("agreement_id").AsPrimaryKey();
        return table;
    }

    public static Table FilledDefinition(string schemaName)
    {
        var table = new Table(new PostgresqlObjectName(schemaName, FilledTableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<int>("id").AsPrimaryKey();
        table.AddColumn("filled_at", "timestamp with time zone").NotNull();
        return table;
    }
}
