using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using AmiPki.Protocols.Est;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiPki.Server.Tls;

/// <summary>
/// The HTTPS listener (EST, admin API): TLS 1.2 and 1.3 with AmiPki's own server certificate
/// (<see cref="ServerTlsCertificate"/>), and client certificates requested in the handshake but not required, any
/// chain accepted at the TLS layer — each endpoint decides what a client certificate proves (RFC 7030 §3.3.2).
/// </summary>
public static partial class ServerTlsEndpoint
{
    private const int MaxClientIntermediates = 4;

    /// <summary>
    /// Adds the HTTPS listener on <paramref name="address"/>:<paramref name="port"/>. Issues or loads the server
    /// certificate now (the CAs must be loaded: <see cref="AmiPkiRuntime.LoadAuthoritiesAsync"/>) and keeps it renewed.
    /// </summary>
    public static ServerTlsCertificate Listen(KestrelServerOptions kestrel, IPAddress address, int port, AmiPkiRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(runtime);
        var issuance = runtime.Issuance ?? throw new InvalidOperationException("load the CAs (AmiPkiRuntime.LoadAuthoritiesAsync) before configuring HTTPS");
        var services = kestrel.ApplicationServices;
        var logger = services?.GetService<ILoggerFactory>()?.CreateLogger("AmiPki.Server.Tls") ?? NullLogger.Instance;
        var (dnsNames, addresses) = NamesFor(address, runtime.Options.PublicBaseUrl);
        var certificate = new ServerTlsCertificate(issuance, runtime.Layout.Tls, dnsNames, addresses, runtime.Time, logger);
        // Kestrel configures listeners synchronously, once, at start-up; the first issuance is a local, bounded operation.
        certificate.EnsureAsync(CancellationToken.None).GetAwaiter().GetResult();
        // Renewed by the scheduler's operational-certificates job when there is one; by its own hourly timer otherwise.
        if (services?.GetService<Jobs.OperationalCertificateRegistry>() is { } registry && runtime.Options.Jobs.Enabled)
        {
            registry.Add(certificate);
        }
        else
        {
            certificate.StartRenewalChecks();
        }
        services?.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(certificate.Dispose);

        kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                HandshakeTimeout = TimeSpan.FromSeconds(10),
                OnConnection = context => ValueTask.FromResult(CreateOptions(certificate, context.Connection)),
            });
        });
        return certificate;
    }

    /// <summary>What one handshake is offered: the current certificate context and a client certificate request.</summary>
    public static SslServerAuthenticationOptions CreateOptions(ServerTlsCertificate certificate, ConnectionContext connection) => new()
    {
        ServerCertificateContext = certificate.Context,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        // "Required" only makes the server send CertificateRequest; the callback below lets clients without one in.
        ClientCertificateRequired = true,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        // The TLS layer trusts nothing by itself (endpoints validate against their own anchors), so it builds the
        // client's path against an empty custom root store: no system store scan, and never a download from a URL the
        // client's certificate names (AIA fetching would let any client make this server issue HTTP requests).
        CertificateChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        },
        RemoteCertificateValidationCallback = (_, _, chain, _) =>
        {
            KeepIntermediates(connection, chain);
            return true;
        },
    };

    /// <summary>The intermediates the client sent, for endpoints that validate against their own anchors.</summary>
    private static void KeepIntermediates(ConnectionContext connection, X509Chain? chain)
    {
        if (chain is null || chain.ChainPolicy.ExtraStore.Count == 0)
        {
            return;
        }
        var intermediates = new X509Certificate2Collection();
        foreach (var extra in chain.ChainPolicy.ExtraStore.Take(MaxClientIntermediates))
        {
            intermediates.Add(X509CertificateLoader.LoadCertificate(extra.RawData));
        }
        connection.Items[EstClientChain.ItemKey] = intermediates;
    }

    /// <summary>The names the server certificate carries: the listen address (loopback for a wildcard), localhost, this host, and the public host.</summary>
    internal static (IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> Addresses) NamesFor(IPAddress address, string publicBaseUrl)
    {
        var dns = new List<string> { "localhost" };
        var addresses = new List<IPAddress>();
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            addresses.Add(IPAddress.Loopback);
            addresses.Add(IPAddress.IPv6Loopback);
        }
        else
        {
            addresses.Add(address);
        }
        var host = Dns.GetHostName();
        if (DnsName().IsMatch(host))
        {
            dns.Add(host.ToLowerInvariant());
        }
        if (Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var uri))
        {
            if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip))
            {
                addresses.Add(ip);
            }
            else if (DnsName().IsMatch(uri.Host))
            {
                dns.Add(uri.Host.ToLowerInvariant());
            }
        }
        return (dns.Distinct(StringComparer.OrdinalIgnoreCase).ToList(), addresses.Distinct().ToList());
    }

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex DnsName();
}
