using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace AmiPki.Server.Hosting;

/// <summary>The HTTPS listener (EST, admin API), with a server certificate AmiPki issues itself (see Tls/).</summary>
internal static class HttpsEndpoint
{
    public static void Configure(KestrelServerOptions kestrel, IPAddress address, int port, AmiPkiRuntime runtime) =>
        Tls.ServerTlsEndpoint.Listen(kestrel, address, port, runtime);
}
