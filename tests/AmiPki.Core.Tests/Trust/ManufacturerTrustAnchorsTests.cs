using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Trust;

namespace AmiPki.Core.Tests.Trust;

/// <summary>
/// A chain built once by the TLS handshake under <see cref="ManufacturerTrustAnchors.CreateChainPolicy"/> and judged by
/// <see cref="ManufacturerTrustAnchors.Evaluate"/> reaches the same verdict as <see cref="ManufacturerTrustAnchors.Validate"/>.
/// </summary>
public sealed class ManufacturerTrustAnchorsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Test]
    public void A_device_under_a_registered_anchor_is_trusted_by_both_paths()
    {
        using var anchorKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var anchor = Ca("CN=Acme IDevID CA", anchorKey);
        using var device = Leaf("CN=meter-1", anchor, anchorKey, isCa: false);
        var anchors = new ManufacturerTrustAnchors([("acme", anchor)]);

        var (evaluated, validated) = BothVerdicts(anchors, device);

        Assert.That(evaluated, Is.EqualTo(TrustResult.Trusted("acme")));
        Assert.That(validated, Is.EqualTo(evaluated));
    }

    [Test]
    public void A_device_under_an_unregistered_CA_is_refused_by_both_paths()
    {
        using var anchorKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var anchor = Ca("CN=Acme IDevID CA", anchorKey);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = Ca("CN=Rogue CA", otherKey);
        using var device = Leaf("CN=meter-2", other, otherKey, isCa: false);
        var anchors = new ManufacturerTrustAnchors([("acme", anchor)]);

        var (evaluated, validated) = BothVerdicts(anchors, device);

        Assert.That(evaluated.IsTrusted, Is.False);
        Assert.That(evaluated.Reason, Does.Contain("does not chain to a registered manufacturer anchor"));
        Assert.That(validated.IsTrusted, Is.False);
    }

    [Test]
    public void A_CA_certificate_presented_as_a_device_is_refused_by_both_paths()
    {
        using var anchorKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var anchor = Ca("CN=Acme IDevID CA", anchorKey);
        using var subCa = Leaf("CN=Acme sub CA", anchor, anchorKey, isCa: true);
        var anchors = new ManufacturerTrustAnchors([("acme", anchor)]);

        var (evaluated, validated) = BothVerdicts(anchors, subCa);

        Assert.That(evaluated, Is.EqualTo(TrustResult.Refused("the client certificate is a CA certificate, not a device certificate")));
        Assert.That(validated, Is.EqualTo(evaluated));
    }

    [Test]
    public void A_chain_built_for_another_certificate_is_not_taken_as_a_verdict()
    {
        using var anchorKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var anchor = Ca("CN=Acme IDevID CA", anchorKey);
        using var device = Leaf("CN=meter-3", anchor, anchorKey, isCa: false);
        using var another = Leaf("CN=meter-4", anchor, anchorKey, isCa: false);
        var anchors = new ManufacturerTrustAnchors([("acme", anchor)]);
        using var chain = new X509Chain { ChainPolicy = anchors.CreateChainPolicy(Now) };
        chain.Build(another);

        Assert.That(anchors.Evaluate(device, chain).IsTrusted, Is.False);
    }

    private static (TrustResult Evaluated, TrustResult Validated) BothVerdicts(ManufacturerTrustAnchors anchors, X509Certificate2 leaf)
    {
        using var chain = new X509Chain { ChainPolicy = anchors.CreateChainPolicy(Now) };
        chain.Build(leaf);
        return (anchors.Evaluate(leaf, chain), anchors.Validate(leaf, null, Now));
    }

    private static X509Certificate2 Ca(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(Now.AddDays(-1), Now.AddYears(5));
    }

    private static X509Certificate2 Leaf(string subject, X509Certificate2 issuer, ECDsa issuerKey, bool isCa)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        if (isCa)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        }
        var generator = X509SignatureGenerator.CreateForECDsa(issuerKey);
        return request.Create(issuer.SubjectName, generator, Now.AddHours(-1), Now.AddYears(1), RandomNumberGenerator.GetBytes(12));
    }
}
