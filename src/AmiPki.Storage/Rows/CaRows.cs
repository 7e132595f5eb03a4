using System.Data.Common;
using AmiPki.Core.Authorities;

namespace AmiPki.Storage.Rows;

/// <summary>The columns of a CA's record and their mapping to <see cref="CaRecord"/>, the same in both dialects.</summary>
internal static class CaRows
{
    /// <summary>The SELECT list <see cref="Read"/> maps, in its order.</summary>
    public const string Columns = "name, parent, certificate_der, key_provider, key_reference, crl_url, ocsp_url, ca_issuers_url, created_at";

    /// <summary>Maps one row of <see cref="Columns"/>.</summary>
    public static CaRecord Read(DbDataReader row) => new(row.GetString(0), row.NullableString(1), row.Bytes(2), row.GetString(3),
        row.GetString(4), row.NullableString(5), row.NullableString(6), row.NullableString(7), row.Time(8));
}
