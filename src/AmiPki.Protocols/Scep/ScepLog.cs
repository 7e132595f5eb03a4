using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Scep;

/// <summary>Log messages of the SCEP adapter (event ids 8000–8099).</summary>
internal static partial class ScepLog
{
    [LoggerMessage(EventId = 8000, Level = LogLevel.Information, Message = "SCEP RA certificate {Subject} serial {Serial} issued, valid until {NotAfter:u}")]
    public static partial void RaIssued(ILogger logger, string subject, string serial, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "SCEP RA certificate {Subject} serial {Serial} loaded from storage, valid until {NotAfter:u}")]
    public static partial void RaLoaded(ILogger logger, string subject, string serial, DateTime notAfter);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "SCEP RA files in {Directory} are unreadable, a new RA is issued: {Reason}")]
    public static partial void RaUnreadable(ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Information, Message = "SCEP {MessageType} transaction {TransactionId} from {Requester} refused ({FailInfo}): {Reason}")]
    public static partial void Refused(ILogger logger, string messageType, string transactionId, string requester, string failInfo, string reason);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Error, Message = "SCEP audit entry could not be written: {Detail}")]
    public static partial void AuditFailed(ILogger logger, Exception exception, string detail);

    [LoggerMessage(EventId = 8005, Level = LogLevel.Error, Message = "SCEP {Operation} failed unexpectedly")]
    public static partial void Unexpected(ILogger logger, Exception exception, string operation);

    [LoggerMessage(EventId = 8006, Level = LogLevel.Information, Message = "SCEP request {Id} for profile {Profile} waits for approval")]
    public static partial void Pending(ILogger logger, string id, string profile);

    [LoggerMessage(EventId = 8007, Level = LogLevel.Warning, Message = "SCEP: no storage or no key passphrase; the RA key lives in memory only, changes at each start and differs per node")]
    public static partial void RaNotDurable(ILogger logger);
}
