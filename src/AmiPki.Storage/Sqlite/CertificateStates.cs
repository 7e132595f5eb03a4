using AmiPki.Core.Storage;

namespace AmiPki.Storage.Sqlite;

/// <summary>The text stored for each <see cref="CertificateState"/>: readable in the sqlite3 shell and stable if the enum is reordered.</summary>
internal static class CertificateStates
{
    public const string Signing = "signing";
    public const string Issued = "issued";
    public const string Failed = "failed";

    public static string ToText(CertificateState state) => state switch
    {
        CertificateState.Signing => Signing,
        CertificateState.Issued => Issued,
        CertificateState.Failed => Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown certificate state"),
    };

    public static CertificateState FromText(string text) => text switch
    {
        Signing => CertificateState.Signing,
        Issued => CertificateState.Issued,
        Failed => CertificateState.Failed,
        _ => throw new InvalidDataException($"unknown certificate state '{text}' in storage"),
    };
}
