using System.Reflection;
using JasperFx;
using JasperFx.CodeGeneration.Frames;
using JasperFx.CodeGeneration.Model;
using Wolverine.Http;
using Wolverine.Http.CodeGen;

namespace AgreementLedger.Infrastructure;

/// <summary>Marks a record as the JSON body of a command: it is bound from the body <see cref="RequestBody"/> parsed.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class CommandBodyAttribute : Attribute;

/// <summary>
/// Binds an endpoint's <see cref="CommandBodyAttribute"/> parameter from the document the shape check
/// and the idempotency fingerprint already parsed (<see cref="RequestBody.Bind{T}"/>), so a command's
/// body is parsed once; Wolverine's own binding would parse the text again. The endpoint still
/// declares that it accepts the record as <c>application/json</c>: routing answers 415 for another
/// content type, the strict shape check and the idempotency middleware find the command by it, and
/// the OpenAPI document describes the body from it (<c>OpenApi/CommandBodyDescriptions</c>). One binding
/// frame a chain, shared by the slice's Validate and its Post.
/// </summary>
public sealed class CommandBodyStrategy : IParameterStrategy
{
    private static readonly MethodInfo Bind = typeof(RequestBody).GetMethod(nameof(RequestBody.Bind))!;

    public bool TryMatch(HttpChain chain, IServiceContainer container, ParameterInfo parameter, out Variable? variable)
    {
        var type = parameter.ParameterType;
        if (!type.IsDefined(typeof(CommandBodyAttribute), inherit: false))
        {
            variable = null;
            return false;
        }

        var bind = Bind.MakeGenericMethod(type);
        var existing = chain.Middleware.OfType<MethodCall>().FirstOrDefault(m => m.Method == bind);
        variable = (existing ?? new MethodCall(typeof(RequestBody), bind) { CommentText = "Binding the command from the body parsed once (RequestBody)" }).ReturnVariable;
        return true;
    }

    /// <summary>The command record an endpoint binds from its body, if any.</summary>
    public static Type? CommandOf(HttpChain chain) =>
        chain.Method.Method.GetParameters().Select(p => p.ParameterType).FirstOrDefault(t => t.IsDefined(typeof(CommandBodyAttribute), inherit: false));
}
