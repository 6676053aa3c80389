using System.Text.Json;

namespace AgreementLedger.Infrastructure;

/// <summary>
/// A command's body, read once (up to the cap) and parsed once, shared through the request's
/// features by the idempotency fingerprint and the strict shape check; the endpoint binds from the
/// same bytes.
/// </summary>
public sealed class RequestBody : IDisposable
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
    };

    private JsonDocument? _document;
    private JsonException? _error;
    private bool _parsed;

    private RequestBody(byte[] bytes) => Bytes = bytes;

    /// <summary>The bytes read: at most one past the cap, so that a longer body shows as <see cref="TooLarge"/>.</summary>
    public byte[] Bytes { get; }

    public bool TooLarge => Bytes.Length > StrictJsonBodyMiddleware.MaxBodyBytes;

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

        var body = new RequestBody(await ReadUpToCapAsync(http.Request.Body, http.RequestAborted));
        http.Features.Set(body);
        http.Response.RegisterForDispose(body);
        http.Request.Body = new MemoryStream(body.Bytes, writable: false);
        return body;
    }

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
        while (buffer.Length <= StrictJsonBodyMiddleware.MaxBodyBytes && (read = await body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
