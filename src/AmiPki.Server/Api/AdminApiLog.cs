using Microsoft.Extensions.Logging;

namespace AmiPki.Server.Api;

/// <summary>Source-generated log messages of the admin API, event ids 4200–4299.</summary>
internal static partial class AdminApiLog
{
    [LoggerMessage(EventId = 4201, Level = LogLevel.Error, Message = "admin operation {Id} ({Kind}) failed")]
    public static partial void OperationFailed(ILogger logger, string id, string kind, Exception exception);
}
