using AgreementLedger.Audit.Digests;
using AgreementLedger.Ledger;

namespace AgreementLedger.Audit.Verifying;

/// <summary>
/// Every kept signed digest must still match the stored events, and carry a valid signature by a key the service
/// knows: this is what catches the newest events cut away, or a whole chain rewritten consistently (whoever rewrites
/// it can recompute the digests above it too, but cannot sign them). Fed the event hashes in position order, it folds
/// the ledger's digest and holds each kept digest against it once every event at or before its position is folded.
/// One task folds it, beside the other checks of the pass.
/// </summary>
internal sealed class KeptDigestCheck : IAsyncDisposable
{
    private readonly IAsyncEnumerator<SignedDigest> _kept;
    private readonly AuditSigningKey _key;
    private readonly Action<string, long, string> _fail;
    private string _digest = EventHash.Genesis;
    private bool _more;

    private KeptDigestCheck(IAsyncEnumerator<SignedDigest> kept, AuditSigningKey key, Action<string, long, string> fail) =>
        (_kept, _key, _fail) = (kept, key, fail);

    /// <summary>Starts reading the kept digests up to the newest kept position (a digest kept later is checked next time).</summary>
    public static async Task<KeptDigestCheck> BeginAsync(LedgerDigests digests, AuditSigningKey key, Action<string, long, string> fail, CancellationToken ct)
    {
        var upTo = await digests.NewestKeptPositionAsync(ct);
        var check = new KeptDigestCheck(digests.KeptAsync(upTo, ct).GetAsyncEnumerator(ct), key, fail);
        check._more = await check._kept.MoveNextAsync();
        return check;
    }

    /// <summary>Folds every event of the <paramref name="batches"/>, in order, then compares the kept digests not yet compared.</summary>
    public async Task ObserveAsync(IAsyncEnumerable<PrehashedBatch> batches)
    {
        await foreach (var batch in batches)
        {
            foreach (var (row, _, _) in batch.Events)
            {
                await CompareBeforeAsync(row.Position);
                _digest = LedgerDigests.Step(_digest, row.Hash ?? "");
            }
        }

        await CompareBeforeAsync(long.MaxValue);
    }

    private async ValueTask CompareBeforeAsync(long position)
    {
        while (_more && _kept.Current.Position < position)
        {
            Compare(_kept.Current);
            _more = await _kept.MoveNextAsync();
        }
    }

    private void Compare(SignedDigest signed)
    {
        switch (AuditSigningKey.Check(_key.VerifyingKeys, signed))
        {
            case SignatureCheck.UnknownKey:
                _fail(LedgerVerifier.Ledger, signed.Position,
                    $"the kept digest at position {signed.Position} names key {signed.KeyId}, which the service does not know: the digest record was forged, " +
                    "or the key that signed it is missing from Ledger:Audit:PreviousPublicKeys");
                break;
            case SignatureCheck.Invalid:
                _fail(LedgerVerifier.Ledger, signed.Position, $"the kept digest at position {signed.Position} carries an invalid signature: the digest record was forged");
                break;
        }

        if (signed.Digest != _digest)
        {
            _fail(LedgerVerifier.Ledger, signed.Position,
                $"the signed digest at position {signed.Position} no longer matches the stored events: events at or before that position were altered, removed, reordered or inserted");
        }
    }

    public ValueTask DisposeAsync() => _kept.DisposeAsync();
}
