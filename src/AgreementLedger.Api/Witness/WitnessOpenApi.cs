using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AgreementLedger.Witness;

/// <summary>
/// The witness's <c>/openapi/v1.json</c>: its three routes (docs/api.md, "Witnesses") for tools and generated
/// clients, served relative to the witness that serves it. The witness asks for no credentials: what it accepts
/// is decided by the signatures in a submission, not by who sends it.
/// </summary>
public sealed class WitnessOpenApi : IOpenApiDocumentTransformer
{
    public const string Tag = "Witness";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "AgreementLedger witness",
            Version = "1",
            Description = "A witness of an AgreementLedger transparency log: it cosigns a checkpoint only when given a valid consistency " +
                "proof from the last one it cosigned. The binding contract, with the cosigned message byte for byte, is docs/api.md " +
                "(\"Witnesses\") and docs/audit.md (\"Witness\") in the service's repository. Every problem is RFC 9457 " +
                "`application/problem+json` with a `type` of `/problems/<code>`.",
        };
        document.Servers = [new OpenApiServer { Url = "/", Description = "The witness that serves this document." }];
        document.Security = [new OpenApiSecurityRequirement()];
        document.Tags = new HashSet<OpenApiTag>
        {
            new() { Name = Tag, Description = "Cosigning the log's append-only growth; docs/api.md, \"Witnesses\"." },
        };
        return Task.CompletedTask;
    }
}
