namespace AmiPki.Core.Authorization;

/// <summary>A presented certificate is not a current, unrevoked certificate of this CA (see <see cref="CurrentCertificateVerifier"/>).</summary>
public sealed class CurrentCertificateRefusal : Exception
{
    public CurrentCertificateRefusal(CurrentCertificateProblem problem, string reason) : base(reason)
    {
        Problem = problem;
    }

    public CurrentCertificateProblem Problem { get; }

    public string Reason => Message;
}
