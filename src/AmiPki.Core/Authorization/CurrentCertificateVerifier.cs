using System.Formats.Asn1;
using AmiPki.Core.Authorities;
using AmiPki.Core.Issuance;
using AmiPki.Core.Storage;

namespace AmiPki.Core.Authorization;

/// <summary>
/// The one check that a presented certificate is a current AmiPki certificate: one of our CAs recorded a certificate
/// with this issuer name and serial whose DER is byte for byte the one presented, it is unrevoked and valid now. Byte
/// equality with our record proves we signed exactly these bytes, so the CA signature is not verified again; the
/// protocol (TLS, DTLS, CMP or CMS signature) proved possession of its key. Used for EST re-enrollment, EST-coaps
/// /sren, CMP signature protection and SCEP renewal alike (RFC 7030 §3.3.2, RFC 9148 §4.2, RFC 4210 §5.1.3.3, RFC 8894 §3.3.1.2).
/// </summary>
public sealed class CurrentCertificateVerifier
{
    private readonly CaHierarchy _authorities;
    private readonly ICertificateReader _certificates;
    private readonly TimeProvider _time;

    public CurrentCertificateVerifier(CaHierarchy authorities, ICertificateReader certificates, TimeProvider time)
    {
        _authorities = authorities;
        _certificates = certificates;
        _time = time;
    }

    /// <summary>True when one of our CAs has the certificate's issuer name (it may still not be ours: see <see cref="VerifyAsync"/>).</summary>
    public bool NamesOurIssuer(CertificateFields certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return _authorities.All.Any(a => a.SubjectName.AsSpan().SequenceEqual(certificate.IssuerDer));
    }

    /// <exception cref="CurrentCertificateRefusal">Not a current certificate of this CA; the reason names the serial.</exception>
    public Task<CurrentCertificate> VerifyAsync(byte[] der, CancellationToken cancellationToken)
    {
        CertificateFields fields;
        try
        {
            fields = CertificateFields.Read(der);
        }
        catch (AsnContentException)
        {
            throw new CurrentCertificateRefusal(CurrentCertificateProblem.Malformed, "the certificate is not DER");
        }
        return VerifyAsync(fields, cancellationToken);
    }

    /// <exception cref="CurrentCertificateRefusal">Not a current certificate of this CA; the reason names the serial.</exception>
    public async Task<CurrentCertificate> VerifyAsync(CertificateFields certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var serial = certificate.SerialHex;
        CertificateRecord? found = null;
        var named = false;
        foreach (var authority in _authorities.All)
        {
            if (!authority.SubjectName.AsSpan().SequenceEqual(certificate.IssuerDer))
            {
                continue;
            }
            named = true;
            var record = await _certificates.FindAsync(authority.Name, serial, cancellationToken);
            if (record is { State: CertificateState.Issued, Der: { } der } && der.AsSpan().SequenceEqual(certificate.Der))
            {
                found = record;
                break;
            }
        }
        if (found is null)
        {
            throw new CurrentCertificateRefusal(CurrentCertificateProblem.NotIssuedHere, named
                ? $"the certificate (serial {serial}) is not one this CA issued"
                : "the certificate was not issued by this CA");
        }
        if (found.Revocation is not null)
        {
            throw new CurrentCertificateRefusal(CurrentCertificateProblem.Revoked, $"the certificate (serial {serial}) is revoked");
        }
        var now = _time.GetUtcNow();
        if (now < found.NotBefore || now >= found.NotAfter)
        {
            throw new CurrentCertificateRefusal(CurrentCertificateProblem.NotValidNow,
                $"the certificate (serial {serial}) is not valid now (valid {found.NotBefore:u} to {found.NotAfter:u})");
        }
        return new CurrentCertificate(found, certificate);
    }
}
