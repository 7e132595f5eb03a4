using AmiPki.Core.Storage;
using AmiPki.Storage.Sqlite;

namespace AmiPki.Storage.Rows;

/// <summary>
/// The WHERE clause of a certificate listing (<see cref="CertificateQuery"/>) over the aliases of the certificate SELECT
/// (<c>c</c> the certificate, <c>r</c> its active revocation), the same in both dialects but for how a parameter is
/// written and which revocation column tells that a row exists.
/// </summary>
internal static class CertificateFilters
{
    /// <param name="query">The filters; a null filter is left out.</param>
    /// <param name="revocationKey">A NOT NULL column of <c>r</c>, null exactly when the certificate has no active revocation.</param>
    /// <param name="bind">Adds a text parameter (a name for dialects that name them, and the value) and returns its placeholder.</param>
    /// <returns>"\nWHERE …", or empty when no filter is set.</returns>
    public static string Where(CertificateQuery query, string revocationKey, Func<string, string, string> bind)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string>();
        void Filter(string column, string op, string name, string? value)
        {
            if (value is not null)
            {
                where.Add($"{column} {op} {bind(name, value)}");
            }
        }
        Filter("c.issuer", "=", "issuer", query.Issuer);
        Filter("c.profile", "=", "profile", query.Profile);
        if (query.State is { } state)
        {
            where.Add(CertificateStates.Condition(state));
        }
        Filter("c.not_after", "<", "expiring_before", SqliteTime.ToText(query.ExpiringBefore));
        Filter("c.system_title", "=", "system_title", query.SystemTitle);
        Filter("c.dcu", "=", "dcu", query.Dcu);
        Filter("c.manufacturer_lot", "=", "lot", query.ManufacturerLot);
        Filter("c.subject", "=", "subject", query.Subject);
        if (query.Revoked is { } revoked)
        {
            where.Add(revoked ? $"{revocationKey} IS NOT NULL" : $"{revocationKey} IS NULL");
        }
        return where.Count > 0 ? "\nWHERE " + string.Join(" AND ", where) : "";
    }
}
