using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgreementLedger.Infrastructure;

/// <summary>Readiness as JSON: the overall status and each check with its description and data.</summary>
public static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), http.RequestAborted);
    }
}
