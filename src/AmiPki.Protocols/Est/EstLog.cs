using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Est;

/// <summary>Source-generated log messages of the EST adapter, event ids 4000–4099.</summary>
internal static partial class EstLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "EST {Operation} label {Label} by {Actor} refused with {Status}: {Reason}")]
    public static partial void Refused(ILogger logger, string operation, string label, string actor, int status, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "EST audit entry could not be written: {Detail}")]
    public static partial void AuditFailed(ILogger logger, Exception exception, string detail);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "EST {Operation} failed unexpectedly")]
    public static partial void Failed(ILogger logger, Exception exception, string operation);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "EST request {Id} for profile {Profile} waits for manual approval")]
    public static partial void Pending(ILogger logger, string id, string profile);
}
