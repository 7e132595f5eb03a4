using System.Globalization;
using System.Security.Cryptography;
using AmiPki.Core.Revocation;

namespace AmiPki.Protocols.Ocsp;

/// <summary>
/// An encoded OCSPResponse and what HTTP needs to serve it (RFC 5019 §6.2 caching headers, formatted once when signed).
/// </summary>
public sealed class OcspReply
{
    private OcspReply(byte[] der, OcspResponseStatus status, CertificateStatus? certificateStatus, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate,
        DateTimeOffset refreshAt, bool cacheable, ReadOnlyMemory<byte> certId, RevocationInfo? revocation)
    {
        Revocation = revocation;
        Der = der;
        Status = status;
        CertificateStatus = certificateStatus;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        RefreshAt = refreshAt;
        Cacheable = cacheable;
        CertId = certId;
        if (status == OcspResponseStatus.Successful)
        {
            ETag = "\"" + Convert.ToHexStringLower(SHA256.HashData(der).AsSpan(0, 16)) + "\"";
            LastModified = thisUpdate.ToString("r", CultureInfo.InvariantCulture);
            Expires = nextUpdate.ToString("r", CultureInfo.InvariantCulture);
        }
    }

    public byte[] Der { get; }

    public OcspResponseStatus Status { get; }

    /// <summary>The status of the (single) certificate asked about; null for errors and multi-certificate answers.</summary>
    public CertificateStatus? CertificateStatus { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset NextUpdate { get; }

    /// <summary>When a cached copy should be re-signed.</summary>
    public DateTimeOffset RefreshAt { get; }

    /// <summary>The revocation a single-certificate <c>revoked</c> answer states (to compare it with storage's current one).</summary>
    public RevocationInfo? Revocation { get; }

    /// <summary>
    /// A single-certificate <c>revoked</c> answer whose reason is not certificateHold: it cannot become good again, so it
    /// stays true until its nextUpdate (RFC 5280 §5.3.1). Every other answer may change at any moment.
    /// </summary>
    public bool IsFinal => CertificateStatus == Core.Revocation.CertificateStatus.Revoked && Revocation is { Reason: not RevocationReason.CertificateHold };

    /// <summary>HTTP caches may keep it (no nonce, successful).</summary>
    public bool Cacheable { get; }

    /// <summary>The CertID it answers (single-certificate answers), to match a cached copy against a request byte for byte.</summary>
    public ReadOnlyMemory<byte> CertId { get; }

    public string? ETag { get; }

    public string? LastModified { get; }

    public string? Expires { get; }

    public static OcspReply Error(OcspResponseStatus status) =>
        new(OcspResponseEncoder.Status(status), status, null, default, default, default, false, default, null);

    public static OcspReply Signed(byte[] der, CertificateStatus? status, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate, DateTimeOffset refreshAt,
        bool cacheable, ReadOnlyMemory<byte> certId, RevocationInfo? revocation = null) =>
        new(der, OcspResponseStatus.Successful, status, thisUpdate, nextUpdate, refreshAt, cacheable, certId, revocation);
}
