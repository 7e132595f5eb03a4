using Microsoft.Extensions.Logging;

namespace AmiPki.Server.Hosting;

/// <summary>Source-generated log messages of the host, with fixed event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "SOFTWARE KEYS IN USE: CA private keys are files in the data directory and live in this process's memory. This is for development only; use the pkcs11 key provider in production.")]
    public static partial void SoftwareKeysInUse(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "AmiPki starting: data {DataDirectory}, listening on {Address} http {HttpPort} https {HttpsPort}; CAs {Authorities}; {ProfileCount} profiles")]
    public static partial void Starting(ILogger logger, string dataDirectory, string address, int httpPort, int httpsPort, string authorities, int profileCount);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "Recovered {Count} orphaned issuance intent(s): serials reserved by a process that ended before recording the certificate. A signature may exist, so they are treated as issued (revocable with `amipki revoke --serial`) and never reused; `amipki list --status outcome-unknown` lists them. Serials: {Serials}")]
    public static partial void OrphanedIntentsRecovered(ILogger logger, int count, string serials);
}
