namespace AgreementLedger.Infrastructure.Auth;

/// <summary>The roles of docs/api.md "Access" and which routes each may use.</summary>
public static class Roles
{
    public const string Recorder = "recorder";
    public const string Auditor = "auditor";
    public const string Subscriber = "subscriber";
    public const string Admin = "admin";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Recorder, Auditor, Subscriber, Admin };

    /// <summary>The policy of the queries: recorders and auditors read them.</summary>
    public const string Reader = "reader";

    /// <summary>The policies that guard routes and the roles each admits (admin may do everything).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> ByPolicy = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        [Recorder] = [Recorder, Admin],
        [Reader] = [Recorder, Auditor, Admin],
        [Auditor] = [Auditor, Admin],
        [Subscriber] = [Subscriber, Auditor, Admin],
        [Admin] = [Admin],
    };
}
