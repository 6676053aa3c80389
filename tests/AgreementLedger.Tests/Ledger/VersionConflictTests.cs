using AgreementLedger.Ledger;
using Npgsql;

namespace AgreementLedger.Tests.Ledger;

public sealed class VersionConflictTests
{
    [Fact]
    public void the_quick_append_mismatch_and_the_event_version_key_are_conflicts_even_when_wrapped()
    {
        var mismatch = new PostgresException("Stream version mismatch", "ERROR", "ERROR", VersionConflict.StreamVersionMismatch);
        var duplicate = new PostgresException("duplicate key", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation, constraintName: VersionConflict.EventVersionKey);

        Assert.True(VersionConflict.Is(mismatch));
        Assert.True(VersionConflict.Is(new InvalidOperationException("Marten wrapped it", duplicate)));
        Assert.True(VersionConflict.Is(new JasperFx.ConcurrencyException(typeof(object), "gcap-treaty")));
    }

    [Fact]
    public void other_unique_violations_and_errors_are_not()
    {
        var otherKey = new PostgresException("duplicate key", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation, constraintName: "pk_mt_streams");

        Assert.False(VersionConflict.Is(otherKey));
        Assert.False(VersionConflict.Is(new PostgresException("boom", "ERROR", "ERROR", "XX000")));
        Assert.False(VersionConflict.Is(new InvalidOperationException("unrelated")));
    }
}
