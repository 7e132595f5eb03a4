using AmiPki.Core.Authorities;

namespace AmiPki.Storage.Tests.Contract;

public abstract partial class StorageContractTests
{
    [Test]
    public async Task Cas_are_saved_listed_and_replaced()
    {
        var root = new CaRecord("root", null, [1, 2, 3], "software", "keys/root.p8", null, null, null, T0);
        var issuing = new CaRecord("issuing-p256", "root", [4, 5], "pkcs11", "pkcs11:token=amipki;object=issuing-p256",
            "http://pki.example/crl/issuing-p256.crl", "http://pki.example/ocsp", "http://pki.example/ca/issuing-p256.cer", T0.AddMinutes(1));
        await Storage.Cas.SaveAsync(root, CancellationToken.None);
        await Storage.Cas.SaveAsync(issuing, CancellationToken.None);

        var listed = await Storage.Cas.ListAsync(CancellationToken.None);
        Assert.That(listed.Select(c => c.Name), Is.EqualTo(new[] { "root", "issuing-p256" }));
        Assert.That(listed[1] with { CertificateDer = [] }, Is.EqualTo(issuing with { CertificateDer = [] }));
        Assert.That(listed[1].CertificateDer, Is.EqualTo(issuing.CertificateDer));

        var renewed = issuing with { CertificateDer = [9, 9], KeyReference = "pkcs11:token=amipki;object=issuing-p256-2" };
        await Storage.Cas.SaveAsync(renewed, CancellationToken.None);
        var after = await Storage.Cas.ListAsync(CancellationToken.None);
        Assert.That(after, Has.Count.EqualTo(2));
        Assert.That(after.Single(c => c.Name == "issuing-p256").CertificateDer, Is.EqualTo(new byte[] { 9, 9 }));
    }
}
