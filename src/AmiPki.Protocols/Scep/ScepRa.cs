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

    /// <summary>
    /// The RA this one replaced at the last renewal, while its certificate is still valid: a client that fetched GetCACert
    /// before the renewal encrypts to it, so its PKIOperation is still decrypted (and answered) with it during the overlap.
    /// </summary>
    public ScepRa? Previous { get; init; }

    /// <summary>The RA a request's envelope is encrypted to: this one, or <see cref="Previous"/> if the envelope names it and it is still valid.</summary>
    public ScepRa For(ReadOnlyMemory<byte> envelope, DateTimeOffset now) =>
        Previous is { } previous && previous.NotAfter > now && !ScepEnvelope.IsEncryptedTo(envelope, Certificate) && ScepEnvelope.IsEncryptedTo(envelope, previous.Certificate)
            ? previous
            : this;

    /// <summary>GetCACert (RFC 8894 §4.2.1.2): the CA, the RA, then the rest of the chain, as a certs-only SignedData.</summary>
    public byte[] CaRaCertificates { get; } = ScepDegenerate.Encode(
        new[] { chain[0].Certificate.RawData, certificate.RawData }.Concat(chain.Skip(1).Select(c => c.Certificate.RawData)));
}
