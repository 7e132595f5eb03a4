using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Crl;

/// <summary>Source-generated log messages of CRL publishing (fixed event ids 8100–8199).</summary>
internal static partial class CrlLog
{
    [LoggerMessage(8100, LogLevel.Information, "published CRLs of {Issuer}: complete #{FullNumber} ({FullEntries} entries), delta #{DeltaNumber} on base #{BaseNumber} ({DeltaEntries} entries)")]
    public static partial void Published(ILogger logger, string issuer, long fullNumber, int fullEntries, long deltaNumber, long baseNumber, int deltaEntries);

    [LoggerMessage(8101, LogLevel.Error, "building the CRLs of {Issuer} failed; the previous ones stay published")]
    public static partial void BuildFailed(ILogger logger, string issuer, Exception exception);

    [LoggerMessage(8102, LogLevel.Warning, "polling storage for revocations failed")]
    public static partial void PollFailed(ILogger logger, Exception exception);

    [LoggerMessage(8103, LogLevel.Information, "noticed {Count} revocation change(s) made by another process")]
    public static partial void ExternalChanges(ILogger logger, int count);
}
