namespace AgreementLedger.Agreements;

/// <summary>
/// A rule needed an agreement's facts, and the agreement was read from its snapshot, which leaves them
/// out (<see cref="Agreement.KnownFacts"/>): a fact dated before the newest one, or a retraction. The
/// caller folds the agreement from its events (<see cref="AgreementFacts.LoadAsync"/>) and decides or
/// folds again; nothing was decided on a partial state.
/// </summary>
public sealed class FactsUnknownException(string agreementId, long version)
    : InvalidOperationException($"Agreement '{agreementId}' at version {version} was read without its facts, which this rule needs.");
