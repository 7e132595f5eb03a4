namespace AmiPki.Core.Operations;

/// <summary>A component holding one or more operational certificates (the OCSP responder holds one per issuer).</summary>
public interface IOperationalCertificateSource
{
    IReadOnlyList<IOperationalCertificate> OperationalCertificates { get; }
}
