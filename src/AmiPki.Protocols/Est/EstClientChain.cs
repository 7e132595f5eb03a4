using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace AmiPki.Protocols.Est;

/// <summary>
/// The client certificate of the TLS connection and the intermediates the client sent with it. The TLS layer accepts
/// any chain (policy decides per endpoint, RFC 7030 §3.3.2); it leaves the intermediates in the connection's items under
/// <see cref="ItemKey"/> so an IDevID under a manufacturer intermediate can still be validated here.
/// </summary>
public static class EstClientChain
{
    public const string ItemKey = "amipki.tls.client-intermediates";

    /// <summary>Where the TLS layer leaves its <see cref="HandshakeTrust"/> verdict on the client certificate, when it judged one.</summary>
    public const string FactoryTrustKey = "amipki.tls.factory-trust";

    /// <summary>The manufacturer-anchor verdict on the certificate with DER <paramref name="LeafDer"/>, reached during the handshake.</summary>
    public sealed record HandshakeTrust(byte[] LeafDer, Core.Trust.TrustResult Result);

    /// <summary>The handshake's verdict on <paramref name="leaf"/>, if the TLS layer reached one for exactly this certificate.</summary>
    public static Core.Trust.TrustResult? TrustFromHandshake(HttpContext context, X509Certificate2 leaf) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(FactoryTrustKey, out var value) == true && value is HandshakeTrust trust
        && trust.LeafDer.AsSpan().SequenceEqual(leaf.RawDataMemory.Span)
            ? trust.Result
            : null;

    public static X509Certificate2? Leaf(HttpContext context) => context.Connection.ClientCertificate;

    public static IReadOnlyCollection<X509Certificate2> Intermediates(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out var value) == true && value is X509Certificate2Collection collection
            ? collection.ToArray()
            : [];
}
