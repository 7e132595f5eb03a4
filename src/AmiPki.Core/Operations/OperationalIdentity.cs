namespace AmiPki.Core.Operations;

/// <summary>
/// One operational identity as storage keeps it (the CMP responder, the SCEP RA, an OCSP responder): the private key as a
/// PKCS#8 EncryptedPrivateKeyInfo (DER, see <see cref="OperationalKeyProtector"/>), its certificate, and the identity it
/// replaced at the last renewal (kept for an overlap: a SCEP client may still encrypt to the previous RA certificate).
/// <see cref="Version"/> is the compare-and-set counter: 1 when first stored, one more at every replacement.
/// </summary>
public sealed record OperationalIdentity(
    string Name,
    byte[] EncryptedKey,
    byte[] CertificateDer,
    DateTimeOffset NotAfter,
    DateTimeOffset UpdatedAt,
    long Version)
{
    public byte[]? PreviousEncryptedKey { get; init; }

    public byte[]? PreviousCertificateDer { get; init; }

    public DateTimeOffset? PreviousNotAfter { get; init; }
}
