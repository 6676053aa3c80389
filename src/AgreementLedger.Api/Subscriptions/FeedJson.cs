using System.Text.Json;

namespace AgreementLedger.Subscriptions;

/// <summary>
/// Writes feed events straight to UTF-8 — the hottest read path (catch-up pages, the event stream).
/// The shape is exactly what the serializer writes for <see cref="FeedEvent"/> and <see cref="FeedPage"/>
/// (camelCase; <c>occurredOn</c> always present); the stored <c>data</c> bytes pass through.
/// </summary>
public static class FeedJson
{
    public static void Write(Utf8JsonWriter writer, FeedEvent e)
    {
        writer.WriteStartObject();
        writer.WriteNumber("position"u8, e.Position);
        writer.WriteNumber("leafIndex"u8, e.LeafIndex);
        writer.WriteString("agreementId"u8, e.AgreementId);
        writer.WriteNumber("version"u8, e.Version);
        writer.WriteString("type"u8, e.Type);
        if (e.OccurredOn is { } day)
        {
            writer.WriteString("occurredOn"u8, day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNull("occurredOn"u8);
        }

        writer.WriteString("recordedAt"u8, e.RecordedAt);
        writer.WriteString("recordedBy"u8, e.RecordedBy);
        writer.WritePropertyName("data"u8);
        writer.WriteRawValue(e.Data.Utf8, skipInputValidation: true);
        writer.WriteString("hash"u8, e.Hash);
        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, FeedPage page)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("events"u8);
        writer.WriteStartArray();
        foreach (var e in page.Events)
        {
            Write(writer, e);
        }

        writer.WriteEndArray();
        writer.WriteNumber("next"u8, page.Next);
        writer.WriteEndObject();
    }

    /// <summary>A 200 answer with the page as <c>application/json</c>.</summary>
    public static IResult Ok(FeedPage page) => new PageResult(page);

    private sealed class PageResult(FeedPage page) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter);
            Write(writer, page);
            await writer.FlushAsync(httpContext.RequestAborted);
        }
    }
}
