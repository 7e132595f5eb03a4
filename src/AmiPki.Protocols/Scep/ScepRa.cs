using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Authorities;

namespace AmiPki.Protocols.Scep;

/// <summary>
/// The SCEP registration authority (RFC 8894 §2.1): an RSA key (key transport and signing) and its certificate issued
/// by <see cref="Issuer"/>, which stays EC. Requests are encrypted to it and replies signed by it.
/// </summary>
public sealed class ScepRa(X509Certificate2 certificate, RSA key, CertificateAuthority issuer, IReadOnlyList<CertificateAuthority> chain)
{
    public X509Certificate2 Certificate { get; } = certificate;

    public RSA Key { get; } = key;

    public CertificateAuthority Issuer { get; } = issuer;

    /// <summary>The issuer first, up to its root.</summary>
    public IReadOnlyList<CertificateAuthority> Chain { get; } = chain;

    public DateTimeOffset NotAfter { get; } = certificate.NotAfter.ToUniversalTime();

    /// <summary>GetCACert (RFC 8894 §4.2.1.2): the CA, the RA, then the rest of the chain, as a certs-only SignedData.</summary>
    public byte[] CaRaCertificates { get; } = ScepDegenerate.Encode(
        new[] { chain[0].Certificate.RawData, certificate.RawData }.Concat(chain.Skip(1).Select(c => c.Certificate.RawData)));
}
