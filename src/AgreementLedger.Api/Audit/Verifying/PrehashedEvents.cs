using System.Threading.Channels;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle;

namespace AgreementLedger.Audit.Verifying;

/// <summary>A stored event with what the verify's checks hash of it on their own: its chain hash recomputed from its stored fields (null when it has no stored previousHash, for the chain's check to compute with the one before it), and its Merkle leaf.</summary>
internal sealed record PrehashedEvent(StoredEventRow Row, string? Recomputed, byte[] Leaf);

/// <summary>
/// One batch of events in position order, hashed ahead: each event's own hashes, and — for a full batch, whose
/// leaves are a perfect subtree of the ledger's tree when no event before it is missing from the tree — the
/// subtree's interior nodes (<see cref="MerkleSubtree"/>).
/// </summary>
internal sealed record PrehashedBatch(PrehashedEvent[] Events, long[] Positions, byte[][] Leaves, MerkleSubtree? Subtree);

/// <summary>
/// Stored events in their order, with the hashing that depends on one event alone done ahead, in
/// batches on every core: the reader streams rows while earlier batches are parsed, canonicalised and hashed, and
/// the checks, which need the order (one agreement's chain, the ledger's digest, the tree), take them in order. A
/// batch holds a power of two of events, so a full one is hashed into the subtree it will be in the tree.
/// Memory stays bounded: at most a few batches are in flight.
/// </summary>
internal static class PrehashedEvents
{
    private const int BatchSize = 512;

    /// <summary>The <paramref name="rows"/>, read on a task of their own, in batches hashed ahead.</summary>
    public static async IAsyncEnumerable<PrehashedBatch> ReadAsync(
        IAsyncEnumerable<StoredEventRow> rows, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pending = Channel.CreateBounded<Task<PrehashedBatch>>(2 * Environment.ProcessorCount);
        var reading = Task.Run(() => ReadBatchesAsync(rows, pending.Writer, stop.Token), stop.Token);
        try
        {
            await foreach (var batch in pending.Reader.ReadAllAsync(stop.Token))
            {
                yield return await batch;
            }

            await reading;
        }
        finally
        {
            // Stopped early (a failure, a cancellation): the reader stops too, and is waited for before its connection goes.
            await stop.CancelAsync();
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task ReadBatchesAsync(IAsyncEnumerable<StoredEventRow> rows, ChannelWriter<Task<PrehashedBatch>> pending, CancellationToken ct)
    {
        try
        {
            var batch = new List<StoredEventRow>(BatchSize);
            await foreach (var row in rows.WithCancellation(ct))
            {
                batch.Add(row);
                if (batch.Count == BatchSize)
                {
                    await pending.WriteAsync(HashAsync(batch), ct);
                    batch = new List<StoredEventRow>(BatchSize);
                }
            }

            if (batch.Count > 0)
            {
                await pending.WriteAsync(HashAsync(batch), ct);
            }

            pending.Complete();
        }
        catch (Exception e)
        {
            pending.Complete(e);
        }
    }

    private static Task<PrehashedBatch> HashAsync(List<StoredEventRow> rows) => Task.Run(() =>
    {
        var events = rows.Select(row => new PrehashedEvent(row, row.PreviousHash is { } previous ? ChainCheck.Recompute(row, previous) : null, MerkleLeaf.OfEvent(row.Hash))).ToArray();
        var leaves = events.Select(e => e.Leaf).ToArray();
        return new PrehashedBatch(events, rows.Select(row => row.Position).ToArray(), leaves, leaves.Length == BatchSize ? new MerkleSubtree(leaves) : null);
    });
}
