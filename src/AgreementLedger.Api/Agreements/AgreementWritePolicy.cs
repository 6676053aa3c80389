using System.Reflection;
using AgreementLedger.Agreements.Proposing;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Http;

namespace AgreementLedger.Agreements;

/// <summary>
/// Gives every endpoint that takes an <see cref="AgreementWrite"/> its loader as middleware, after
/// the slice's own Validate (which Wolverine adds when it builds the chain, before any policy), so
/// the generated handler reads the body → Validate (400) → loads (400, 503, 404) → Post, and hands
/// the loaded write to Post. Wolverine's aggregate handler workflow cannot keep this order (it
/// loads, and answers 404 or a version conflict, before Validate runs).
/// </summary>
public sealed class AgreementWritePolicy : IHttpPolicy
{
    private static readonly MethodInfo Load = typeof(AgreementWrite).GetMethod(nameof(AgreementWrite.LoadAsync))!;
    private static readonly MethodInfo LoadNew = typeof(AgreementWrite).GetMethod(nameof(AgreementWrite.LoadNewAsync))!;

    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.Method.Method.GetParameters().Any(p => p.ParameterType == typeof(AgreementWrite))))
        {
            var proposes = chain.Method.Method.GetParameters().Any(p => p.ParameterType == typeof(ProposeAgreement));
            var load = new MethodCall(typeof(AgreementWrite), proposes ? LoadNew : Load);
            chain.AddMiddleware(rules, load);
            chain.Method.TrySetArgument(load.Creates.Single(v => v.VariableType == typeof(AgreementWrite)));
        }
    }
}
