using System.Data.Common;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Storage.Sqlite;

namespace AmiPki.Storage.Rows;

/// <summary>
/// A revocation as both dialects store it: the column values a revocation writes (with the detail its audit entry
/// records), and the mapping of a CRL entry's row to <see cref="RevokedEntry"/>.
/// </summary>
internal static class RevocationRows
{
    /// <summary>What one revocation writes: its times as stored text, and the detail of the audit entry for each serial.</summary>
    public readonly record struct Values(string RevokedAt, string? InvalidityDate, string AuditDetail);

    /// <summary>The values <paramref name="revocation"/> writes; refuses removeFromCRL, which is no revocation reason.</summary>
    public static Values ToValues(RevocationInfo revocation)
    {
        ArgumentNullException.ThrowIfNull(revocation);
        if (revocation.Reason == RevocationReason.RemoveFromCrl)
        {
            // removeFromCRL only marks a released hold in a delta CRL (RFC 5280 §5.3.1); use ReleaseHoldAsync.
            throw new ArgumentException("removeFromCRL is not a revocation reason; release the hold instead", nameof(revocation));
        }
        var revokedAt = SqliteTime.ToText(revocation.RevokedAt);
        var invalidity = SqliteTime.ToText(revocation.InvalidityDate);
        var detail = invalidity is not null
            ? $"reason={RevocationReasons.NameOf(revocation.Reason)} revokedAt={revokedAt} invalidityDate={invalidity}"
            : $"reason={RevocationReasons.NameOf(revocation.Reason)} revokedAt={revokedAt}";
        return new Values(revokedAt, invalidity, detail);
    }

    /// <summary>
    /// Maps one CRL entry row: serial_hex, reason, revoked_at, invalidity_date, released_at. A released hold is listed
    /// (in a delta CRL) with reason removeFromCRL (RFC 5280 §5.3.1) and its original revocation time.
    /// </summary>
    public static RevokedEntry ReadEntry(DbDataReader row)
    {
        var released = !row.IsDBNull(4);
        var reason = released ? RevocationReason.RemoveFromCrl : (RevocationReason)row.GetInt32(1);
        return new RevokedEntry(row.GetString(0), new RevocationInfo(reason, SqliteTime.FromText(row.GetString(2)),
            row.IsDBNull(3) ? null : SqliteTime.FromText(row.GetString(3))));
    }
}
