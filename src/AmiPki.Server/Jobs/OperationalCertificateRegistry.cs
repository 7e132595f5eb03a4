using AmiPki.Core.Operations;

namespace AmiPki.Server.Jobs;

/// <summary>Operational certificates created outside the container (the TLS server certificate, made while Kestrel is configured).</summary>
public sealed class OperationalCertificateRegistry : IOperationalCertificateSource
{
    private readonly List<IOperationalCertificate> _certificates = [];

    public IReadOnlyList<IOperationalCertificate> OperationalCertificates
    {
        get
        {
            lock (_certificates)
            {
                return _certificates.ToList();
            }
        }
    }

    public void Add(IOperationalCertificate certificate)
    {
        lock (_certificates)
        {
            _certificates.Add(certificate);
        }
    }
}
