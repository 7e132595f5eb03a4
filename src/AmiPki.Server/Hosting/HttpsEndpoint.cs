using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace AmiPki.Server.Hosting;

/// <summary>
/// The HTTPS listener (EST, admin API). Until the EST adapter's TLS certificate management lands, HTTPS is configured
/// by <see cref="Tls"/> when present; see src/AmiPki.Server/Tls/.
/// </summary>
internal static class HttpsEndpoint
{
    public static void Configure(KestrelServerOptions kestrel, IPAddress address, int port, AmiPkiRuntime runtime)
    {
        _ = kestrel;
        _ = address;
        _ = port;
        _ = runtime;
    }
}
