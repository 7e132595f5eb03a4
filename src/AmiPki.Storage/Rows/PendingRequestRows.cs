using System.Data.Common;
using AmiPki.Core.Approvals;
using AmiPki.Storage.Sqlite;

namespace AmiPki.Storage.Rows;

/// <summary>
/// A request held for approval as both dialects store it: its columns and their mapping to <see cref="PendingRequest"/>,
/// the parameters a submission writes, and the state column's text.
/// </summary>
internal static class PendingRequestRows
{
    /// <summary>The SELECT list <see cref="Read"/> maps, in its order.</summary>
    public const string Columns = "id, protocol, profile, requester, subject, csr_der, renewing_der, device_detail, state, created_at, "
        + "decided_at, decided_by, reason, issuer, serial_hex, certificate_der";

    /// <summary>Maps one row of <see cref="Columns"/>.</summary>
    public static PendingRequest Read(DbDataReader row) => new(row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3),
        row.GetString(4), row.Bytes(5), row.NullableBytes(6), row.NullableString(7), ParseState(row.GetString(8)), row.Time(9),
        row.NullableTime(10), row.NullableString(11), row.NullableString(12), row.NullableString(13), row.NullableString(14),
        row.NullableBytes(15));

    /// <summary>The named parameters (@Id … @CreatedAt) of a submission's INSERT, as Dapper binds them in either dialect.</summary>
    public static object SubmitParameters(PendingRequest request) => new
    {
        request.Id,
        request.Protocol,
        request.Profile,
        request.Requester,
        request.Subject,
        request.CsrDer,
        request.RenewingDer,
        request.DeviceDetail,
        CreatedAt = SqliteTime.ToText(request.CreatedAt),
    };

    public static string StateText(PendingRequestState state) => state switch
    {
        PendingRequestState.Pending => "pending",
        PendingRequestState.Approved => "approved",
        PendingRequestState.Rejected => "rejected",
        PendingRequestState.Issued => "issued",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    private static PendingRequestState ParseState(string text) => text switch
    {
        "pending" => PendingRequestState.Pending,
        "approved" => PendingRequestState.Approved,
        "rejected" => PendingRequestState.Rejected,
        "issued" => PendingRequestState.Issued,
        _ => throw new InvalidOperationException($"unknown pending request state '{text}'"),
    };
}
