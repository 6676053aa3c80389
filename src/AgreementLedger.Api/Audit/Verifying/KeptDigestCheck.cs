using System.Threading.Channels;
using AgreementLedger.Audit.Digests;
using AgreementLedger.Ledger;

namespace AgreementLedger.Audit.Verifying;

/// <summary>
/// Every kept signed digest must still match the stored events, and carry a valid signature by a key the service
/// knows: this is what catches the newest events cut away, or a whole chain rewritten consistently (whoever rewrites
/// it can recompute the digests above it too, but cannot sign them). Fed the event hashes in position order, it folds
/// the ledger's digest and holds each kept digest against it once every event at or before its position is folded.
/// It folds on a task of its own, beside the other checks of the pass.
/// </summary>
internal sealed class KeptDigestCheck : IAsyncDisposable
{
    private readonly IAsyncEnumerator<SignedDigest> _kept;
    private readonly AuditSigningKey _key;
    private readonly Action<string, long, string> _fail;
    private readonly Channel<PrehashedBatch> _batches = Channel.CreateBounded<PrehashedBatch>(4);
    private string _digest = EventHash.Genesis;
    private bool _more;
    private Task? _folding;

    private KeptDigestCheck(IAsyncEnumerator<SignedDigest> kept, AuditSigningKey key, Action<string, long, string> fail) =>
        (_kept, _key, _fail) = (kept, key, fail);

    /// <summary>Starts reading the kept digests up to the newest kept position (a digest kept later is checked next time).</summary>
    public static async Task<KeptDigestCheck> BeginAsync(LedgerDigests digests, AuditSigningKey key, Action<string, long, string> fail, CancellationToken ct)
    {
        var upTo = await digests.NewestKeptPositionAsync(ct);
        var check = new KeptDigestCheck(digests.KeptAsync(upTo, ct).GetAsyncEnumerator(ct), key, fail);
        check._more = await check._kept.MoveNextAsync();
        check._folding = Task.Run(() => check.FoldAsync(ct), ct);
        return check;
    }

    /// <summary>
    /// The next batch of events in position order, folded on this check's own task (<see cref="BeginAsync"/> starts
    /// it): the digest is a chain, one step after the other, so it runs beside the pass's other checks. Rethrows the
    /// task's failure, should it have failed.
    /// </summary>
    public async ValueTask ObserveAsync(PrehashedBatch batch, CancellationToken ct)
    {
        try
        {
            await _batches.Writer.WriteAsync(batch, ct);
        }
        catch (ChannelClosedException)
        {
            // Closed by the task on its failure, which awaiting it rethrows.
            await _folding!;
            throw;
        }
    }

    /// <summary>Once every batch was observed: waits for the fold, and compares the kept digests not yet compared.</summary>
    public async Task FinishAsync()
    {
        _batches.Writer.TryComplete();
        await _folding!;
    }

    private async Task FoldAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var batch in _batches.Reader.ReadAllAsync(ct))
            {
                foreach (var (row, _, _) in batch.Events)
                {
                    await CompareBeforeAsync(row.Position);
                    _digest = LedgerDigests.Step(_digest, row.Hash ?? "");
                }
            }

            await CompareBeforeAsync(long.MaxValue);
        }
        catch (Exception e)
        {
            _batches.Writer.TryComplete(e);
            throw;
        }
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

    /// <summary>Stops the fold (the pass may end early, on a failure or a cancellation) before the kept digests' reader goes.</summary>
    public async ValueTask DisposeAsync()
    {
        _batches.Writer.TryComplete();
        await _folding!.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _kept.DisposeAsync();
    }
}
