using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.OpenApi;

/// <summary>
/// The served <c>/openapi/v1.json</c> passes Redocly CLI's recommended rules (tools/openapi/redocly.yaml,
/// the CLI pinned in tools/openapi/package-lock.json and installed by ./build.sh): no error and no warning.
/// Redocly runs as a real process on the document written to a file, as a third party's pipeline runs it.
/// </summary>
[Collection(OpenApiCollection.Name)]
public sealed class OpenApiLintTests(OpenApiLedgerHost ledger)
{
    [Fact]
    public async Task the_document_has_no_error_or_warning_under_redoclys_recommended_rules()
    {
        var document = (await ledger.Host.GetAsync("/openapi/v1.json")).Text;
        await Redocly.AssertCleanAsync(document, "/openapi/v1.json");
    }
}
