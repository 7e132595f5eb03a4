using AmiPki.Core.Revocation;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Ocsp;

/// <summary>Source-generated log messages of the OCSP responder (fixed event ids 8200–8299).</summary>
internal static partial class OcspLog
{
    [LoggerMessage(8200, LogLevel.Information, "OCSP responder for {Issuer}: {Kind} responder, key hash {KeyHash}, valid until {NotAfter:u}")]
    public static partial void ResponderReady(ILogger logger, string issuer, string kind, string keyHash, DateTimeOffset notAfter);

    [LoggerMessage(8201, LogLevel.Warning, "no delegated OCSP responder for {Issuer} ({Reason}); the CA key signs its responses")]
    public static partial void FallbackToCaKey(ILogger logger, string issuer, string reason);

    [LoggerMessage(8202, LogLevel.Error, "answering an OCSP request failed; answered internalError")]
    public static partial void InternalError(ILogger logger, Exception exception);

    [LoggerMessage(8203, LogLevel.Error, "renewing the OCSP responder of {Issuer} failed; the current one stays in use")]
    public static partial void RenewalFailed(ILogger logger, string issuer, Exception exception);

    [LoggerMessage(8204, LogLevel.Information, "pre-signed {Count} OCSP responses for {Issuer}")]
    public static partial void PreSigned(ILogger logger, int count, string issuer);

    [LoggerMessage(8205, LogLevel.Error, "OCSP maintenance failed")]
    public static partial void MaintenanceFailed(ILogger logger, Exception exception);

    [LoggerMessage(8206, LogLevel.Information, "the pre-signed OCSP answer for {Issuer}/{Serial} said {Cached}, storage says {Current}: re-signed")]
    public static partial void StaleAnswerReplaced(ILogger logger, string issuer, string serial, CertificateStatus? cached, CertificateStatus current);

    [LoggerMessage(8208, LogLevel.Warning, "storage is unavailable; answered an OCSP request tryLater")]
    public static partial void StorageUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(8207, LogLevel.Error, "confirming a pre-signed OCSP answer against storage failed; answered tryLater")]
    public static partial void StatusCheckFailed(ILogger logger, Exception exception);
}
