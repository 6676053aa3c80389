namespace AgreementLedger.Witness;

/// <summary>What the witness logs of each submission: a refusal is a warning, since 403, 409 and 422 are what its operator alerts on (docs/operations.md, "Witnesses").</summary>
public static partial class WitnessLog
{
    public static void Answered(ILogger logger, CheckedSubmission submission, SubmissionOutcome outcome)
    {
        switch (outcome)
        {
            case SubmissionOutcome.Cosigned:
                Cosigned(logger, submission.Origin, submission.TreeSize, submission.OldSize);
                break;
            case SubmissionOutcome.Untrusted untrusted:
                Refused(logger, 403, submission.Origin, submission.TreeSize, submission.OldSize, untrusted.Detail);
                break;
            case SubmissionOutcome.Conflict conflict:
                Refused(logger, 409, submission.Origin, submission.TreeSize, submission.OldSize, conflict.Detail);
                break;
            case SubmissionOutcome.ProofFailed failed:
                Refused(logger, 422, submission.Origin, submission.TreeSize, submission.OldSize, failed.Detail);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cosigned the checkpoint of '{Origin}' at size {TreeSize} (from size {OldSize})")]
    private static partial void Cosigned(ILogger logger, string origin, long treeSize, long oldSize);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused ({Status}) the checkpoint of '{Origin}' at size {TreeSize} from size {OldSize}: {Detail}")]
    private static partial void Refused(ILogger logger, int status, string origin, long treeSize, long oldSize, string detail);
}
