using JasperFx;
using Wolverine.Http;

namespace AgreementLedger.Infrastructure;

/// <summary>
/// Declares, once every chain is built, that an endpoint binding a <see cref="CommandBodyAttribute"/>
/// record accepts it as <c>application/json</c> (what Wolverine declares for a body it binds itself).
/// </summary>
public sealed class CommandBodyPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, JasperFx.CodeGeneration.GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains)
        {
            if (CommandBodyStrategy.CommandOf(chain) is { } command)
            {
                chain.Metadata.Accepts(command, isOptional: false, "application/json");
            }
        }
    }
}
