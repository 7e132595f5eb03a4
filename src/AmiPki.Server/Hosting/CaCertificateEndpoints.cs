using AmiPki.Core.Authorities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AmiPki.Server.Hosting;

/// <summary>
/// <c>GET /ca/{name}.cer</c>: a CA certificate in DER, as named by caIssuers in AIA
/// (RFC 5280 §4.2.2.1: a single certificate is served as application/pkix-cert).
/// </summary>
public static class CaCertificateEndpoints
{
    public static IEndpointRouteBuilder MapCaCertificates(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/ca/{file}", (string file, CaHierarchy authorities) =>
        {
            const string suffix = ".cer";
            if (!file.EndsWith(suffix, StringComparison.Ordinal) || authorities.Find(file[..^suffix.Length]) is not { } authority)
            {
                return Results.Text("unknown CA\n", "text/plain", statusCode: StatusCodes.Status404NotFound);
            }
            return Results.Bytes(authority.Record.CertificateDer, "application/pkix-cert");
        });
        return endpoints;
    }
}
