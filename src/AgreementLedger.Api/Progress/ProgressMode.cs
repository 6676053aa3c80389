namespace AgreementLedger.Progress;

/// <summary>How a long command shows its progress on standard error.</summary>
public enum ProgressMode
{
    /// <summary>A redrawn bar when standard error is a terminal (and <c>TERM</c> is not <c>dumb</c>), lines otherwise.</summary>
    Auto,

    /// <summary>A bar redrawn in place with <c>\r</c>, at most ten times a second.</summary>
    Bar,

    /// <summary>A plain line every <see cref="ProgressOptions.Interval"/>: what a log or CI keeps.</summary>
    Lines,

    /// <summary>Nothing.</summary>
    None,
}
