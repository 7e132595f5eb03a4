using AmiPki.Core.Storage;

namespace AmiPki.Cli.Commands;

/// <summary>How <c>list</c> and <c>show</c> print a <see cref="CertificateState"/>: the same words <c>list --status</c> accepts.</summary>
public static class CertificateStateText
{
    public static string Of(CertificateState state) => state switch
    {
        CertificateState.OutcomeUnknown => "outcome-unknown",
        _ => state.ToString().ToLowerInvariant(),
    };
}
