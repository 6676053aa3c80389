using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace AgreementLedger.Ledger.Merkle.Stored;

/// <summary>
/// <c>ledger.merkle_nodes</c>: the perfect subtrees of the ledger's Merkle tree (<see cref="MerkleNodeId"/>), each
/// written once when its last leaf arrives — about two rows per event, the leaf and on average one interior node.
/// A leaf row (level 0) also holds its event's position, so a position finds its leaf index, and a tree size its
/// last position, by one index lookup; interior rows leave it null.
/// </summary>
public static class MerkleNodeTable
{
    public const string TableName = "merkle_nodes";

    public static string Qualified(LedgerSchema schema) => $"{schema.Events}.{TableName}";

    public static Table Definition(string schemaName)
    {
        var table = new Table(new PostgresqlObjectName(schemaName, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<int>("level").AsPrimaryKey();
        table.AddColumn<long>("index").AsPrimaryKey();
        table.AddColumn("hash", "bytea").NotNull();
        table.AddColumn<long>("position");
        table.Indexes.Add(new IndexDefinition($"{TableName}_position") { Columns = ["position"], IsUnique = true });
        return table;
    }
}
