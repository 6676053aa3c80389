using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AgreementLedger.OpenApi;

/// <summary>
/// Makes each schema say what the service sends and accepts. The generator marks every member of a
/// record's constructor as required and every unknown member as forbidden; but answers omit null
/// members (docs/api.md "Bodies"), may gain members (the contract allows new fields), and a request's
/// optional member may be null. So: a nullable member is required only where it is always written
/// (<c>[JsonIgnore(Condition = Never)]</c>, such as a feed item's <c>occurredOn</c>) or where the
/// request needs it (<c>[Required]</c>); an answer's members are never null unless so written; answers
/// allow members beyond those listed while requests do not (an unknown member is 400); members with a
/// fixed set of values (<see cref="ValuesFromAttribute"/>) list them; problem details always carry
/// <c>type</c>, <c>title</c>, <c>status</c> and <c>detail</c>, and may carry more (<c>traceId</c>, <c>errors</c>).
/// </summary>
public sealed class HonestSchemaTransformer : IOpenApiSchemaTransformer
{
    private static readonly string[] ProblemMembers = ["type", "title", "status", "detail"];

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is { AttributeProvider: { } attributeProvider } && attributeProvider.GetCustomAttributes(typeof(ValuesFromAttribute), false) is [ValuesFromAttribute values, ..])
        {
            var target = schema.Type?.HasFlag(JsonSchemaType.Array) == true && schema.Items is OpenApiSchema items ? items : schema;
            target.Enum = [.. values.Values().Select(v => (JsonNode)JsonValue.Create(v))];
        }

        // An object's own schema, at the top or as a member's (the generator visits a nested object as its member).
        var type = context.JsonTypeInfo;
        if (type.Kind != JsonTypeInfoKind.Object || schema.Properties is null)
        {
            return Task.CompletedTask;
        }

        var request = context.ParameterDescription is not null;
        foreach (var property in type.Properties)
        {
            // A nullable member whose schema is another object's (given no null type): left out when null, so not required.
            if (!request && schema.Properties.TryGetValue(property.Name, out var referenced)
                && !(referenced is OpenApiSchema { Type: { } referencedType } && (referencedType.HasFlag(JsonSchemaType.Null) || !referencedType.HasFlag(JsonSchemaType.Object)))
                && property.AttributeProvider is System.Reflection.PropertyInfo info
                && new System.Reflection.NullabilityInfoContext().Create(info).ReadState == System.Reflection.NullabilityState.Nullable
                && !info.GetCustomAttributes(false).OfType<JsonIgnoreAttribute>().Any(a => a.Condition == JsonIgnoreCondition.Never))
            {
                schema.Required?.Remove(property.Name);
                continue;
            }

            if (!schema.Properties.TryGetValue(property.Name, out var found) || found is not OpenApiSchema member
                || member.Type is not { } memberType || !memberType.HasFlag(JsonSchemaType.Null))
            {
                continue;
            }

            var attributes = property.AttributeProvider?.GetCustomAttributes(false) ?? [];
            var writtenAsNull = attributes.OfType<JsonIgnoreAttribute>().Any(a => a.Condition == JsonIgnoreCondition.Never);
            var needed = attributes.OfType<RequiredAttribute>().Any();
            if (!writtenAsNull)
            {
                if (needed)
                {
                    schema.Required ??= new HashSet<string>();
                    schema.Required.Add(property.Name);
                }
                else
                {
                    schema.Required?.Remove(property.Name);
                }

                if (needed || !request)
                {
                    member.Type = memberType & ~JsonSchemaType.Null;
                }
            }
        }

        if (!request)
        {
            schema.AdditionalPropertiesAllowed = true;
        }

        if (typeof(ProblemDetails).IsAssignableFrom(type.Type))
        {
            schema.Required ??= new HashSet<string>();
            foreach (var name in ProblemMembers)
            {
                schema.Required.Add(name);
            }

            schema.Properties["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Quote it to operators: it names the request in their logs." };
            schema.Properties["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "`/problems/<code>` (docs/api.md, \"Errors\")." };
        }

        return Task.CompletedTask;
    }
}
