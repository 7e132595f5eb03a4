using AmiPki.Core.Storage;

namespace AmiPki.Storage.Sqlite;

/// <summary>
/// The text stored for each <see cref="CertificateState"/>: readable in the sqlite3 shell and stable if the enum is reordered.
/// <see cref="CertificateState.OutcomeUnknown"/> is stored as 'signing' with <c>outcome_unknown_at</c> set (migration 0003).
/// </summary>
internal static class CertificateStates
{
    public const string Signing = "signing";
    public const string Issued = "issued";
    public const string Failed = "failed";

    /// <summary>The SQL condition on table alias <c>c</c> selecting rows in <paramref name="state"/> (constants only, no parameter).</summary>
    public static string Condition(CertificateState state) => state switch
    {
        CertificateState.Signing => $"c.state = '{Signing}' AND c.outcome_unknown_at IS NULL",
        CertificateState.OutcomeUnknown => $"c.state = '{Signing}' AND c.outcome_unknown_at IS NOT NULL",
        CertificateState.Issued => $"c.state = '{Issued}'",
        CertificateState.Failed => $"c.state = '{Failed}'",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown certificate state"),
    };

    public static CertificateState FromText(string text, bool outcomeUnknown) => text switch
    {
        Signing => outcomeUnknown ? CertificateState.OutcomeUnknown : CertificateState.Signing,
        Issued => CertificateState.Issued,
        Failed => CertificateState.Failed,
        _ => throw new InvalidDataException($"unknown certificate state '{text}' in storage"),
    };
}
