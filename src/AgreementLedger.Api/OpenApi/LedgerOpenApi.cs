namespace AgreementLedger.OpenApi;

/// <summary>
/// <c>/openapi/v1.json</c>, a document clients can trust: every route with its bodies, headers, roles
/// and problems, checked by Redocly's recommended rules and against real answers
/// (tests/…/OpenApi/OpenApi*Tests.cs). Endpoint metadata says most of it (<see cref="EndpointContract"/>);
/// three transformers say the rest.
/// </summary>
public static class LedgerOpenApi
{
    public static IServiceCollection AddLedgerOpenApi(this IServiceCollection services)
    {
        services.AddSingleton<Microsoft.AspNetCore.Mvc.ApiExplorer.IApiDescriptionProvider, CommandBodyDescriptions>();
        return services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer<LedgerDocumentTransformer>();
            options.AddOperationTransformer<LedgerOperationTransformer>();
            options.AddSchemaTransformer<HonestSchemaTransformer>();
        });
    }
}
