using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;

using AgreementLedger.Infrastructure;

namespace AgreementLedger.OpenApi;

/// <summary>
/// Describes the body of a command bound from the parsed body (<see cref="CommandBodyStrategy"/>) as
/// Wolverine describes a body it binds itself: a body parameter of the command's record, accepted as
/// the endpoint's <c>Accepts</c> content types. The OpenAPI generator then writes the request body
/// and its component schema as for any other body. Runs after Wolverine's own provider (order −2000).
/// </summary>
public sealed class CommandBodyDescriptions : IApiDescriptionProvider
{
    private static readonly EmptyModelMetadataProvider Models = new();

    public int Order => 0;

    public void OnProvidersExecuting(ApiDescriptionProviderContext context)
    {
        foreach (var description in context.Results)
        {
            var accepts = description.ActionDescriptor.EndpointMetadata.OfType<IAcceptsMetadata>().FirstOrDefault(a => a.RequestType is not null);
            if (accepts is null || description.ParameterDescriptions.Any(p => p.Source == BindingSource.Body))
            {
                continue;
            }

            description.ParameterDescriptions.Add(new ApiParameterDescription
            {
                Name = accepts.RequestType!.Name,
                ModelMetadata = Models.GetMetadataForType(accepts.RequestType),
                Source = BindingSource.Body,
                Type = accepts.RequestType,
                IsRequired = !accepts.IsOptional,
            });
            foreach (var contentType in accepts.ContentTypes)
            {
                description.SupportedRequestFormats.Add(new ApiRequestFormat { MediaType = contentType });
            }
        }
    }

    public void OnProvidersExecuted(ApiDescriptionProviderContext context)
    {
    }
}
