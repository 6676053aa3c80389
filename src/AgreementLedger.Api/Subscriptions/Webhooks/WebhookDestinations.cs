using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace AgreementLedger.Subscriptions.Webhooks;

/// <summary>
/// Which addresses a webhook may reach: none of the service's own network (loopback, "this network",
/// link-local, private, CGNAT, multicast, broadcast and reserved, unspecified), so that whoever may
/// register a webhook cannot make the service POST to its database, its cloud metadata endpoint or
/// its neighbours. Checked at registration, and again on every connection against the address
/// actually dialled, since what a name resolves to can change after registration (DNS rebinding).
/// Off when <see cref="WebhookOptions.AllowPrivateNetworks"/> is true.
/// </summary>
public sealed class WebhookDestinations(IOptions<WebhookOptions> options)
{
    private static readonly TimeSpan RegistrationLookup = TimeSpan.FromSeconds(3);

    public bool AllowPrivateNetworks => options.Value.AllowPrivateNetworks;

    /// <summary>
    /// The kind of network an address belongs to when webhooks may not reach it ("loopback",
    /// "private", …), else null. IPv4 embedded in IPv6 (<c>::ffff:0:0/96</c>, <c>64:ff9b::/96</c>, and
    /// the deprecated <c>::/96</c>, which also holds <c>::</c> and <c>::1</c>) is judged as the IPv4 address.
    /// </summary>
    public static string? Forbidden(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv4MappedToIPv6 || IsNat64(bytes) || bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
            {
                bytes = bytes[12..];
            }
            else
            {
                return address.IsIPv6LinkLocal ? "link-local"
                    : address.IsIPv6SiteLocal ? "site-local"
                    : address.IsIPv6Multicast ? "multicast"
                    : (bytes[0] & 0xFE) == 0xFC ? "private"
                    : null;
            }
        }

        return bytes switch
        {
            [0, 0, 0, 0] => "unspecified",
            [0, ..] => "'this network'",
            [127, ..] => "loopback",
            [10, ..] => "private",
            [172, var b, ..] when (b & 0xF0) == 16 => "private",
            [192, 168, ..] => "private",
            [169, 254, ..] => "link-local",
            [100, var b, ..] when (b & 0xC0) == 64 => "shared (CGNAT)",
            [255, 255, 255, 255] => "broadcast",
            [var a, ..] when (a & 0xF0) == 224 => "multicast",
            [var a, ..] when (a & 0xF0) == 240 => "reserved",
            _ => null,
        };

        static bool IsNat64(byte[] v6) => v6 is [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0, ..];
    }

    /// <summary>
    /// Why a URL may not be registered, in words, or null. A host name is resolved here; one that does
    /// not resolve (yet) is accepted and checked when it is dialled.
    /// </summary>
    public async Task<string?> RefusalAsync(Uri url, CancellationToken ct)
    {
        if (AllowPrivateNetworks)
        {
            return null;
        }

        var host = url.IdnHost.Trim('[', ']');
        if (IPAddress.TryParse(host, out var literal))
        {
            return Forbidden(literal) is { } kind ? $"must not reach the service's own network (a {kind} address)" : null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, ct).WaitAsync(RegistrationLookup, ct);
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return null;
        }

        return addresses.Select(Forbidden).FirstOrDefault(k => k is not null) is { } resolved
            ? $"must not reach the service's own network (the host resolves to a {resolved} address)"
            : null;
    }

    /// <summary>
    /// The connection for a delivery (<see cref="SocketsHttpHandler.ConnectCallback"/>): resolves the host
    /// itself and dials only when none of its addresses is forbidden, so the address checked is the one dialled.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        if (!AllowPrivateNetworks && addresses.Select(Forbidden).FirstOrDefault(k => k is not null) is { } kind)
        {
            throw new ForbiddenDestinationException(kind);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The handler every delivery goes through: no redirects, no proxy (it would be the address dialled),
    /// the checked connection, and nothing of a body left unread drained on dispose (the connection closes instead).
    /// </summary>
    public SocketsHttpHandler Handler() => new()
    {
        AllowAutoRedirect = false,
        MaxResponseDrainSize = 0,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectCallback = ConnectAsync,
    };
}

/// <summary>A delivery refused because its host is, or now resolves to, an address webhooks may not reach.</summary>
public sealed class ForbiddenDestinationException(string kind) : IOException($"the host resolves to a {kind} address, which webhooks may not reach")
{
    public string Kind { get; } = kind;
}
