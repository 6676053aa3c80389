using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AgreementLedger.OpenApi;

/// <summary>
/// The document-wide parts of <c>/openapi/v1.json</c>: what the API is, where it is served (relative
/// to the document, never an address with a trailing slash that doubles every path's), the bearer scheme of docs/api.md
/// "Access", one tag per section of the contract, and the line schema of the NDJSON export.
/// </summary>
public sealed class LedgerDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string BearerScheme = "bearer";
    public const string ExportRecordSchema = "ExportRecord";

    private static readonly (string Name, string Description)[] Tags =
    [
        (EndpointContract.Commands, "Record facts about agreements (role recorder); docs/api.md, \"Commands\"."),
        (EndpointContract.Queries, "Agreements as known at an instant and as in effect on a date (roles recorder, auditor); docs/api.md, \"Queries\"."),
        (EndpointContract.Audit, "Hash chains, signed digests and the export (role auditor); docs/api.md, \"Audit\"."),
        (EndpointContract.Subscriptions, "The gap-safe feed of events and its Server-Sent Events stream (roles subscriber, auditor); docs/api.md, \"Subscriptions\"."),
        (EndpointContract.Webhooks, "Deliveries of events to a URL (role admin); docs/api.md, \"Webhooks\"."),
        (EndpointContract.WebPage, "How the web page signs in (anonymous); docs/api.md, \"Web page\"."),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "AgreementLedger HTTP API",
            Version = "1",
            Description = "An event-sourced ledger of international agreements. The binding contract, with an example per " +
                "route, is docs/api.md in the service's repository; this document describes the same routes, bodies, " +
                "headers and problems for tools and generated clients. New members may appear in answers: read them " +
                "leniently. Every problem is RFC 9457 `application/problem+json` with a `type` of `/problems/<code>`.",
        };

        // Relative: the host that served this document, whatever name, scheme or proxy it was reached
        // through (an address taken from the request would be wrong behind a TLS-terminating proxy).
        document.Servers = [new OpenApiServer { Url = "/", Description = "The service that serves this document." }];

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A JWT whose `role` claim holds recorder, auditor, subscriber or admin (admin may use every route; " +
                "a token may carry several). Each operation names the roles it admits. Without a valid token the answer is " +
                "401, with a role the route does not admit 403 (docs/api.md, \"Access\").",
        };

        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ExportRecordSchema] = ExportRecord();
        return Task.CompletedTask;
    }

    /// <summary>One line of the NDJSON export (docs/audit.md): an event, or a digest (kept before, or the closing one).</summary>
    private static OpenApiSchema ExportRecord()
    {
        static OpenApiSchema Text(string? format = null) => new() { Type = JsonSchemaType.String, Format = format };
        static OpenApiSchema Whole() => new() { Type = JsonSchemaType.Integer, Format = "int64" };
        static OpenApiSchema Record(params string[] values) => new() { Type = JsonSchemaType.String, Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))] };

        var @event = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An event with the fields its hash covers, in position order.",
            Required = new HashSet<string> { "record", "position", "agreementId", "version", "type", "occurredOn", "recordedAt", "recordedBy", "data", "hash", "previousHash" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["record"] = Record(Audit.Exporting.ExportLedgerEndpoint.EventRecord),
                ["position"] = Whole(),
                ["agreementId"] = Text(),
                ["version"] = Whole(),
                ["type"] = Text(),
                ["occurredOn"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Format = "date", Description = "null for a retraction" },
                ["recordedAt"] = Text("date-time"),
                ["recordedBy"] = Text(),
                ["data"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "The event's data exactly as stored and hashed." },
                ["hash"] = Text(),
                ["previousHash"] = Text(),
            },
        };
        var digest = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "A digest kept by the service up to the export's position, or the closing signed digest over exactly the exported events.",
            Required = new HashSet<string> { "record", "position", "digest", "signature", "keyId" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["record"] = Record(Audit.Exporting.ExportLedgerEndpoint.KeptDigestRecord, Audit.Exporting.ExportLedgerEndpoint.DigestRecord),
                ["position"] = Whole(),
                ["digest"] = Text(),
                ["signature"] = Text(),
                ["keyId"] = Text(),
            },
        };
        // The checkpoint over the exported events, and the newer cosigned one with the consistency proof to it (docs/audit.md, section 4).
        OpenApiSchema Checkpoint(string record, string description, bool consistency)
        {
            var members = new Dictionary<string, IOpenApiSchema>
            {
                ["record"] = Record(record),
                ["origin"] = Text(),
                ["treeSize"] = Whole(),
                ["rootHash"] = Text(),
                ["position"] = Whole(),
                ["timestamp"] = Text("date-time"),
                ["keyId"] = Text(),
                ["signature"] = Text(),
                ["cosignatures"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.Object } },
            };
            if (consistency)
            {
                members["from"] = Whole();
                members["to"] = Whole();
                members["proof"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = Text() };
            }

            return new OpenApiSchema { Type = JsonSchemaType.Object, Description = description, Required = new HashSet<string>(members.Keys), Properties = members };
        }

        return new OpenApiSchema
        {
            Description = "One line of `application/x-ndjson`: events first, then kept digests, then the closing digest, then the checkpoint records (docs/audit.md).",
            OneOf =
            [
                @event, digest,
                Checkpoint(Audit.Exporting.ExportLedgerEndpoint.CheckpointRecord, "The signed checkpoint over exactly the exported events, with its cosignatures.", consistency: false),
                Checkpoint(Audit.Exporting.ExportLedgerEndpoint.ConsistencyRecord, "The newest cosigned checkpoint and the consistency proof from the export's tree size to it, when no witness cosigned that size.", consistency: true),
            ],
        };
    }
}
