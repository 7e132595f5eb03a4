using AmiPki.Coap.Server;

namespace AmiPki.Protocols.EstCoaps;

/// <summary>
/// Puts the EST-coaps resources on a <see cref="CoapServer"/>: <c>/.well-known/est/{crts, sen, sren, att, skg}</c>,
/// advertised in <c>/.well-known/core</c> with rt="ace.est.*" and their Content-Formats (RFC 9148 §5), and the same
/// operations under every label (<c>/.well-known/est/&lt;label&gt;/sen</c>), served but not listed: CoAP resources are
/// exact paths, and a discovery answer listing every profile would not fit a constrained client.
/// </summary>
internal static class EstCoapsResources
{
    public const string BasePath = "/.well-known/est";

    private static readonly (string Operation, int[] ContentFormats)[] Operations =
    [
        (EstCoapsOperation.CaCerts, [EstCoapsContentFormat.Pkcs7CertsOnly, EstCoapsContentFormat.PkixCert]),
        (EstCoapsOperation.SimpleEnroll, [EstCoapsContentFormat.Pkcs7CertsOnly, EstCoapsContentFormat.PkixCert]),
        (EstCoapsOperation.SimpleReenroll, [EstCoapsContentFormat.Pkcs7CertsOnly, EstCoapsContentFormat.PkixCert]),
        (EstCoapsOperation.CsrAttrs, [EstCoapsContentFormat.CsrAttrs]),
        (EstCoapsOperation.ServerKeyGen, [EstCoapsContentFormat.MultipartCore]),
    ];

    public static void Register(CoapServer server, EstCoapsService service, EstCoapsLabels labels)
    {
        var links = string.Join(",", Operations.Select(entry => LinkFormat.FormatLink($"{BasePath}/{entry.Operation}", Describe(entry.Operation, entry.ContentFormats, hidden: false))));
        server.AddResource(BasePath, (request, _) => Task.FromResult(EstCoapsService.Root(request, links)),
            new CoapResourceDescription { ResourceTypes = ["ace.est"] });
        Add(server, service, label: null);
        foreach (var label in labels.All)
        {
            Add(server, service, label);
        }
    }

    private static void Add(CoapServer server, EstCoapsService service, string? label)
    {
        string prefix = label is null ? BasePath : $"{BasePath}/{label}";
        foreach (var (operation, contentFormats) in Operations)
        {
            Func<CoapRequest, CancellationToken, Task<CoapResponse>> handler = operation switch
            {
                EstCoapsOperation.CaCerts => (request, _) => service.CaCertsAsync(request, label),
                EstCoapsOperation.CsrAttrs => (request, _) => service.CsrAttrsAsync(request, label),
                EstCoapsOperation.SimpleEnroll => (request, cancellationToken) => service.EnrollAsync(request, label, renewal: false, cancellationToken),
                EstCoapsOperation.SimpleReenroll => (request, cancellationToken) => service.EnrollAsync(request, label, renewal: true, cancellationToken),
                _ => (request, cancellationToken) => service.ServerKeyGenAsync(request, label, cancellationToken),
            };
            server.AddResource($"{prefix}/{operation}", handler, Describe(operation, contentFormats, hidden: label is not null));
        }
    }

    private static CoapResourceDescription Describe(string operation, int[] contentFormats, bool hidden) => new()
    {
        ResourceTypes = [EstCoapsOperation.ResourceType(operation)],
        ContentFormats = contentFormats,
        Hidden = hidden,
    };
}
