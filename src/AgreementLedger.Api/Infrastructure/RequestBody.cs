using System.Text.Json;

namespace AgreementLedger.Infrastructure;

/// <summary>
/// A command's body, read once (up to the cap) and parsed once, shared through the request's
/// features by the idempotency fingerprint, the strict shape check and the endpoint's binding
/// (<see cref="Bind{T}"/>). The cap is decided here once: a body declared or found longer is
/// <see cref="TooLarge"/>, and one declared longer is never read.
/// </summary>
public sealed class RequestBody : IDisposable
{
    /// <summary>Command bodies are limited to 1 MiB (413).</summary>
    public const int MaxBytes = 1024 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
    };

    private JsonDocument? _document;
    private JsonException? _error;
    private bool _parsed;

    private readonly bool _declaredTooLarge;

    private RequestBody(byte[] bytes, bool declaredTooLarge)
    {
        Bytes = bytes;
        _declaredTooLarge = declaredTooLarge;
    }

    /// <summary>The bytes read: at most one past the cap, so that a longer body shows as <see cref="TooLarge"/>.</summary>
    public byte[] Bytes { get; }

    public bool TooLarge => _declaredTooLarge || Bytes.Length > MaxBytes;

    /// <summary>The parsed body, or null when it is not well-formed JSON (<see cref="ParseError"/> says where).</summary>
    public JsonDocument? Document
    {
        get
        {
            Parse();
            return _document;
        }
    }

    public JsonException? ParseError
    {
        get
        {
            Parse();
            return _error;
        }
    }

    /// <summary>The request's body, read the first time it is asked for; the request reads the same bytes again afterwards.</summary>
    public static async Task<RequestBody> ReadAsync(HttpContext http)
    {
        if (http.Features.Get<RequestBody>() is { } read)
        {
            return read;
        }

        if (http.Request.ContentLength > MaxBytes)
        {
            var refused = new RequestBody([], declaredTooLarge: true);
            http.Features.Set(refused);
            return refused;
        }

        var body = new RequestBody(await ReadUpToCapAsync(http.Request.Body, http.Request.ContentLength, http.RequestAborted), declaredTooLarge: false);
        http.Features.Set(body);
        http.Response.RegisterForDispose(body);
        http.Request.Body = new MemoryStream(body.Bytes, writable: false);
        return body;
    }

    /// <summary>
    /// The command the endpoint runs, bound from the parsed document (<see cref="CommandBodyStrategy"/>)
    /// with the service's JSON options. The strict shape check has admitted the document by then; a
    /// value it still cannot bind is bad input (400), never a server error.
    /// </summary>
    public static T Bind<T>(HttpContext http)
    {
        var document = http.Features.Get<RequestBody>()?.Document
            ?? throw new InvalidOperationException($"{typeof(T).Name} is bound before its body was read: StrictJsonBodyMiddleware must run first.");
        var options = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        try
        {
            return document.RootElement.Deserialize<T>(options)
                ?? throw new BadHttpRequestException("a JSON object body is required");
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException($"The body does not fit the command: {e.Message}", e);
        }
    }

    /// <summary>The answer to a body over the cap, wherever it is found (here, or by Kestrel's own limit).</summary>
    public static Microsoft.AspNetCore.Mvc.ProblemDetails TooLargeProblem() => Problems.Create(
        StatusCodes.Status413PayloadTooLarge, Problems.PayloadTooLarge, "Payload too large",
        $"Request bodies are limited to {MaxBytes} bytes.");

    public void Dispose() => _document?.Dispose();

    private void Parse()
    {
        if (_parsed || TooLarge)
        {
            return;
        }

        _parsed = true;
        try
        {
            _document = JsonDocument.Parse(Bytes, DocumentOptions);
        }
        catch (JsonException e)
        {
            _error = e;
        }
    }

    /// <summary>A declared length up to this is read straight into an array of that length.</summary>
    private const int Chunk = 16 * 1024;

    /// <summary>
    /// The body, read until it ends or has passed the cap: longer than the cap means too large. A body of declared
    /// length up to <see cref="Chunk"/> (a command's, nearly always) is read straight into an array of that length, as
    /// the server ends the body there; a longer one, or one of no declared length (chunked), in pooled chunks, so that
    /// memory is taken as bytes arrive, never on the strength of a declared length alone.
    /// </summary>
    private static async Task<byte[]> ReadUpToCapAsync(Stream body, long? declared, CancellationToken ct)
    {
        if (declared is { } length and <= Chunk)
        {
            var exact = new byte[length];
            var got = await body.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, ct);
            return got == exact.Length ? exact : exact[..got];
        }

        using var buffer = new MemoryStream();
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            int read;
            while (buffer.Length <= MaxBytes && (read = await body.ReadAsync(chunk, ct)) > 0)
            {
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }
}
