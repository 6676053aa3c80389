using System.Text.Json;

namespace AgreementLedger.Infrastructure;

/// <summary>
/// A command's body, read once (up to the cap) and parsed once, shared through the request's
/// features by the idempotency fingerprint and the strict shape check; the endpoint binds from the
/// same bytes. The cap is decided here once: a body declared or found longer is
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

        var body = new RequestBody(await ReadUpToCapAsync(http.Request.Body, http.RequestAborted), declaredTooLarge: false);
        http.Features.Set(body);
        http.Response.RegisterForDispose(body);
        http.Request.Body = new MemoryStream(body.Bytes, writable: false);
        return body;
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

    /// <summary>The body, read until it ends or has passed the cap: longer than the cap means too large.</summary>
    private static async Task<byte[]> ReadUpToCapAsync(Stream body, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while (buffer.Length <= MaxBytes && (read = await body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
