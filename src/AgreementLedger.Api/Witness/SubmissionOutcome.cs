namespace AgreementLedger.Witness;

/// <summary>How the witness answered a checked submission: a cosignature (200), or a refusal with its status.</summary>
public abstract record SubmissionOutcome
{
    private SubmissionOutcome()
    {
    }

    /// <summary>200: the checkpoint is cosigned (again, for the size and root it already holds).</summary>
    public sealed record Cosigned(CosignatureJson Cosignature) : SubmissionOutcome;

    /// <summary>403: the checkpoint's key is not trusted, or its signature does not verify.</summary>
    public sealed record Untrusted(string Detail) : SubmissionOutcome;

    /// <summary>409: <c>oldSize</c> is not the witness's size, or the size is the same and the root is not; carries the witness's own tree.</summary>
    public sealed record Conflict(string Detail, long TreeSize, string RootHash) : SubmissionOutcome;

    /// <summary>422: the consistency proof does not show that the checkpoint's tree extends the witness's.</summary>
    public sealed record ProofFailed(string Detail) : SubmissionOutcome;
}
