using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>
/// The in-memory test server gives a request no remote address, and open mode serves only requests from a loopback
/// address (LocalOpenMode.UseOpenModeIfConfigured treats none as not loopback). This makes each in-memory request come
/// from 127.0.0.1, as a client on the test's own machine does, unless it sends <see cref="Header"/>: another address,
/// or <c>none</c> for no address. A request that arrived over a socket keeps its real address.
/// </summary>
public sealed class LoopbackRemoteAddress : IStartupFilter
{
    public const string Header = "X-Test-Remote-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((http, rest) =>
        {
            if (http.Connection.RemoteIpAddress is null)
            {
                http.Connection.RemoteIpAddress = http.Request.Headers.Remove(Header, out var given)
                    ? given.ToString() is "none" ? null : IPAddress.Parse(given.ToString())
                    : IPAddress.Loopback;
            }

            return rest(http);
        });
        next(app);
    };
}
