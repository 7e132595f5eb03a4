using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Cmp;

/// <summary>CMP log messages with fixed event ids (6000–6099).</summary>
internal static partial class CmpLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "CMP responder certificate {Serial} issued by {Issuer}")]
    public static partial void ResponderIssued(ILogger logger, string serial, string issuer);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "CMP responses are signed with the key of CA {Issuer}: {Reason}")]
    public static partial void ResponderFallback(ILogger logger, string issuer, string reason);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "CMP {Body} from {Sender} refused ({Failure}): {Reason}")]
    public static partial void Refused(ILogger logger, string body, string sender, PkiFailureInfo failure, string reason);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Error, Message = "CMP request failed unexpectedly")]
    public static partial void Failed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "CMP certificate {Serial} of {Issuer} was not confirmed in time and is revoked")]
    public static partial void UnconfirmedRevoked(ILogger logger, string serial, string issuer);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Error, Message = "CMP confirmation sweep failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "CMP credentials are unavailable: set AMIPKI_CMP_SECRET_KEY or AMIPKI_KEY_PASSPHRASE")]
    public static partial void NoSecretKey(ILogger logger);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Information, Message = "CMP responder certificate {Serial} of {Issuer} loaded from storage")]
    public static partial void ResponderLoaded(ILogger logger, string serial, string issuer);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Warning,
        Message = "CMP responder key lives in memory only (no key passphrase or no storage): it changes at each start and differs per node")]
    public static partial void ResponderNotDurable(ILogger logger);
}
