namespace AmiPki.Core.Storage;

/// <summary>Storage upkeep run by scheduled jobs.</summary>
public interface ICertificateHousekeeping
{
    /// <summary>Marks issued certificates whose notAfter passed as expired (once each); returns how many were marked.</summary>
    Task<int> MarkExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
