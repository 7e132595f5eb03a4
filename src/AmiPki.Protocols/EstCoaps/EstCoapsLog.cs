using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.EstCoaps;

/// <summary>Source-generated log messages of the EST-coaps adapter, event ids 4100–4199.</summary>
internal static partial class EstCoapsLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "EST-coaps listening on udp {EndPoint} (DTLS 1.2, certificate serial {Serial})")]
    public static partial void Listening(ILogger logger, string endPoint, string serial);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "EST-coaps {Operation} by {Actor} refused with {Code}: {Reason}")]
    public static partial void Refused(ILogger logger, string operation, string actor, string code, string reason);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error, Message = "EST-coaps {Operation} failed unexpectedly")]
    public static partial void Failed(ILogger logger, Exception exception, string operation);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Error, Message = "EST-coaps audit entry could not be written: {Detail}")]
    public static partial void AuditFailed(ILogger logger, Exception exception, string detail);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Information, Message = "EST-coaps request {Id} for profile {Profile} waits for manual approval")]
    public static partial void Pending(ILogger logger, string id, string profile);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Information, Message = "EST-coaps DTLS certificate issued: serial {Serial}, valid until {NotAfter:u}")]
    public static partial void CertificateIssued(ILogger logger, string serial, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Information, Message = "EST-coaps disabled (port 0)")]
    public static partial void Disabled(ILogger logger);
}
