namespace AgreementLedger.Audit.Transparency;

/// <summary>A checkpoint signed before that the stored events no longer yield, and who signed it (the service or a witness).</summary>
public sealed record DivergedCheckpoint(long TreeSize, string RootHash, string SignedBy, string Reason)
{
    /// <summary>The checkpoint named as the contract's failures and problems name it.</summary>
    public string Named => $"the checkpoint of tree size {TreeSize} with root {RootHash} signed by {SignedBy}";
}
