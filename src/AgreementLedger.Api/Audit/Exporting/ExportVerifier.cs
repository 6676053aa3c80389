using AgreementLedger.Audit.Digests;
using AgreementLedger.Audit.Transparency;

namespace AgreementLedger.Audit.Exporting;

/// <summary>
/// Checks an export with no database: every agreement's hash chain, every kept digest and the closing
/// digest recomputed from the exported events, the leaf indexes (consecutive from 0 in position order, when the
/// export carries them: one written before they existed has none; the events themselves are folded by
/// <see cref="ExportedChain"/>), the Merkle root of the exported events against the
/// checkpoint record (and the consistency proof from it to the newer cosigned checkpoint of a consistency record), and
/// every signature and cosignature against public keys obtained separately (an attacker who can edit the file can also
/// replace a key inside it). Reads line by line; the tree is folded as it goes (O(log n) memory).
/// </summary>
public static class ExportVerifier
{
    private const int MaxFailures = 100;

    /// <summary>
    /// Verifies the export that <paramref name="open"/> opens. It is opened twice: the kept digests
    /// come after the events, yet each is checked against the digest at its own position, so a
    /// second reader runs ahead to them while the first reads the events (memory does not grow with
    /// the export). A key id not among <paramref name="publicKeys"/> fails, like a bad signature. A cosignature counts
    /// towards <paramref name="minCosignatures"/> only when by one of <paramref name="witnessKeys"/> and it verifies.
    /// </summary>
    public static ExportVerification Verify(
        Func<TextReader> open, bool csv, IReadOnlyCollection<byte[]> publicKeys, IReadOnlyCollection<byte[]>? witnessKeys = null, int minCosignatures = 0)
    {
        var keys = publicKeys.DistinctBy(AuditSigningKey.KeyIdOf).ToDictionary(AuditSigningKey.KeyIdOf, k => k, StringComparer.Ordinal);
        var keyList = string.Join(", ", keys.Keys);
        var failures = new List<string>();
        var chain = new ExportedChain(f => Fail(failures, f));
        long keptChecked = 0, lastKeptPosition = -1;
        SignedDigest? signed = null;
        var line = 0;
        var inKeptDigests = false;
        Checkpoint? checkpoint = null;
        (Checkpoint Checkpoint, ExportConsistency Proof)? consistency = null;

        using var export = open();
        using var ahead = open();
        using var keptDigests = ExportRecords.Read(ahead, csv).Where(r => r.Kind == ExportLedgerEndpoint.KeptDigestRecord).Select(r => r.Digest!).GetEnumerator();
        var nextKept = keptDigests.MoveNext() ? keptDigests.Current : null;

        void CheckSignature(string what, SignedDigest record)
        {
            if (keys.Count == 0)
            {
                return;
            }

            switch (AuditSigningKey.Check(keys, record))
            {
                case SignatureCheck.UnknownKey:
                    Fail(failures, $"{what} was signed with key {record.KeyId}, which is not among the keys given ({keyList})");
                    break;
                case SignatureCheck.Invalid:
                    Fail(failures, $"the signature of {what} does not verify");
                    break;
            }
        }

        // Every kept digest below a position, against the digest of the events before that position.
        void CheckKeptBelow(long position)
        {
            while (nextKept is not null && nextKept.Position < position)
            {
                var what = $"the kept digest at position {nextKept.Position}";
                if (nextKept.Position <= lastKeptPosition)
                {
                    Fail(failures, $"{what}: not after the kept digest at position {lastKeptPosition}");
                }

                if (nextKept.Digest != chain.Digest)
                {
                    Fail(failures, $"{what} is {nextKept.Digest}, but the exported events up to it give {chain.Digest}: events at or before it were altered, removed, reordered or inserted");
                }

                CheckSignature(what, nextKept);
                keptChecked++;
                lastKeptPosition = Math.Max(lastKeptPosition, nextKept.Position);
                nextKept = keptDigests.MoveNext() ? keptDigests.Current : null;
            }
        }

        foreach (var record in ExportRecords.Read(export, csv))
        {
            line++;
            if (record.Kind == ExportLedgerEndpoint.CheckpointRecord)
            {
                if (signed is null || checkpoint is not null)
                {
                    Fail(failures, $"record {line}: a checkpoint record {(signed is null ? "before the digest record" : "after the checkpoint record")}");
                    break;
                }

                checkpoint = record.Checkpoint;
                continue;
            }

            if (record.Kind == ExportLedgerEndpoint.ConsistencyRecord)
            {
                if (checkpoint is null || consistency is not null)
                {
                    Fail(failures, $"record {line}: a consistency record {(checkpoint is null ? "before the checkpoint record" : "after the consistency record")}");
                    break;
                }

                consistency = (record.Checkpoint!, record.Consistency!);
                continue;
            }

            if (signed is not null)
            {
                Fail(failures, $"record {line}: records follow the digest record");
                break;
            }

            if (record.Kind == ExportLedgerEndpoint.DigestRecord)
            {
                signed = record.Digest;
                continue;
            }

            if (record.Kind == ExportLedgerEndpoint.KeptDigestRecord)
            {
                // Checked by the reader ahead, when the events before it had been read.
                inKeptDigests = true;
                continue;
            }

            var e = record.Event!;
            if (inKeptDigests)
            {
                Fail(failures, $"record {line}: an event follows the kept digests");
            }

            CheckKeptBelow(e.Position);
            chain.Add(e);
        }

        // The kept digests not yet checked lie at or after the last exported event: each covers all of them.
        CheckKeptBelow(long.MaxValue);

        if (signed is null)
        {
            Fail(failures, "the export does not end with a digest record: it was cut short");
        }
        else
        {
            if (signed.Digest != chain.Digest)
            {
                Fail(failures, $"the digest over the exported events is {chain.Digest}, not the signed {signed.Digest}: events were altered, removed, reordered or inserted");
            }

            if (chain.LastPosition > signed.Position)
            {
                Fail(failures, $"events up to position {chain.LastPosition} lie beyond the digest's position {signed.Position}");
            }

            if (lastKeptPosition > signed.Position)
            {
                Fail(failures, $"a kept digest at position {lastKeptPosition} lies beyond the digest's position {signed.Position}");
            }

            CheckSignature("the digest", signed);
        }

        var cosigned = new HashSet<string>(StringComparer.Ordinal);
        if (checkpoint is not null)
        {
            var found = new List<string>();
            cosigned = ExportCheckpointVerifier.Check(checkpoint, consistency, chain.Tree, chain.LastPosition, keys.Values, witnessKeys ?? [], found);
            found.ForEach(f => Fail(failures, f));
        }

        if (minCosignatures > 0 && checkpoint is null)
        {
            Fail(failures, $"the export has no checkpoint record (written before exports carried one): no cosignature to count, and at least {minCosignatures} required");
        }
        else if (cosigned.Count < minCosignatures)
        {
            Fail(failures, $"{cosigned.Count} of the given witnesses cosigned the checkpoint record or the consistency record; at least {minCosignatures} required");
        }

        if (keys.Count == 0)
        {
            Fail(failures, "no public key given: no signature was checked");
        }

        return new ExportVerification(failures.Count == 0, chain.Events, chain.Agreements, keptChecked, signed, failures, checkpoint, consistency?.Checkpoint, cosigned.Count);
    }

    private static void Fail(List<string> failures, string failure)
    {
        if (failures.Count < MaxFailures)
        {
            failures.Add(failure);
        }
    }
}
