using AgreementLedger.Agreements.Rebuilding;
using AgreementLedger.Infrastructure;
using Marten;

namespace AgreementLedger.Agreements;

/// <summary>
/// What a command reads of its agreement when its node keeps no state of it, or finds the kept one behind
/// (<see cref="AgreementWrite"/>): the stream's version and snapshot, as <see cref="Ledger.LedgerAppend"/> reads them.
/// </summary>
public static class StoredAgreement
{
    /// <summary>The agreement a stored snapshot's JSON holds, read with the store's serializer.</summary>
    public static Agreement FromSnapshot(ISerializer serializer, string json) =>
        serializer.FromJson<Agreement>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)));

    /// <summary>What a proposal of <paramref name="id"/> is judged against: nothing, or a stream at <paramref name="version"/>.</summary>
    public static Agreement Existing(string id, long? version) => version is { } v ? new Agreement { Id = id, Version = v } : new Agreement();

    /// <summary>
    /// The agreement as <paramref name="stored"/> holds it (its stream's version and snapshot), or the answer why
    /// not: 404 when there is none; 503 when the snapshot is missing or behind the events (overwritten by a foreign
    /// rebuild, restored apart from them, edited): deciding on it would chain the new event to the wrong hash and
    /// version, so it is rebuilt from the events and the client retries, nothing appended.
    /// </summary>
    public static async Task<(IResult? Stop, Agreement? Agreement)> StateAsync(string id, (long Version, string? Snapshot)? stored, HttpContext http)
    {
        var agreement = stored?.Snapshot is { } json ? FromSnapshot(http.RequestServices.GetRequiredService<IDocumentStore>().Options.Serializer(), json) : null;
        if (stored is { Version: > 0 and var streamVersion } && agreement?.Version != streamVersion)
        {
            await http.RequestServices.GetRequiredService<SnapshotRebuilder>().RepairAsync(id, streamVersion, http.RequestAborted);
            http.Response.Headers.RetryAfter = "1";
            return (Problems.Result(Problems.Create(StatusCodes.Status503ServiceUnavailable, Problems.Unavailable, "Agreement repaired, retry",
                $"The stored state of '{id}' was behind its events and has just been rebuilt from them; nothing was recorded. Retry the command.")), null);
        }

        return agreement is null ? (Problems.Result(Problems.AgreementNotFound(id)), null) : (null, agreement);
    }
}
