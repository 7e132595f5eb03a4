using Microsoft.Extensions.Logging;

namespace AmiPki.Server.Tls;

/// <summary>Source-generated log messages of the HTTPS listener's certificate, event ids 4100–4199.</summary>
internal static partial class ServerTlsLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "HTTPS server certificate {Serial} loaded, valid until {NotAfter:u}")]
    public static partial void Loaded(ILogger logger, string serial, DateTime notAfter);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "HTTPS server certificate {Serial} issued by AmiPki's own CA, valid until {NotAfter:u}")]
    public static partial void Issued(ILogger logger, string serial, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error, Message = "HTTPS server certificate renewal failed; retrying at the next check")]
    public static partial void RenewalFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "HTTPS server certificate {Path} unusable ({Reason}); issuing a new one")]
    public static partial void Unreadable(ILogger logger, string path, string reason);
}
