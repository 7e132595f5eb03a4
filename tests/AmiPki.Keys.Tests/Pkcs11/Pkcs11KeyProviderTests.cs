using System.Security.Cryptography;
using System.Text;
using AmiPki.Core.Keys;
using AmiPki.Keys.Pkcs11;
using AmiPki.Keys.Tests.Pkcs11.Support;
using NUnit.Framework;

namespace AmiPki.Keys.Tests.Pkcs11;

/// <summary>Key generation on a real SoftHSM2 token, lookup by RFC 7512 URI, and signatures .NET verifies.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class Pkcs11KeyProviderTests
{
    private static readonly object[] Algorithms =
    [
        new object[] { KeyAlgorithm.EcP256, "SHA256" },
        new object[] { KeyAlgorithm.EcP384, "SHA384" },
        new object[] { KeyAlgorithm.EcP521, "SHA512" },
        new object[] { KeyAlgorithm.Rsa2048, "SHA256" },
        new object[] { KeyAlgorithm.Rsa3072, "SHA384" },
    ];

    [TestCaseSource(nameof(Algorithms))]
    public void Generated_key_signs_and_the_signature_verifies_from_its_public_key(KeyAlgorithm algorithm, string hashName)
    {
        using var provider = SoftHsm.Provider(SoftHsm.Main);
        var hash = new HashAlgorithmName(hashName);
        var label = SoftHsm.UniqueLabel("gen");
        using var key = provider.Generate(label, algorithm);

        Assert.That(key.Algorithm, Is.EqualTo(algorithm));
        var data = Encoding.UTF8.GetBytes($"to be signed by {algorithm}");
        var signature = key.Sign(data, hash);
        Assert.That(SignatureCheck.Verify(key, data, signature, hash), Is.True, "signature from the token does not verify");
        data[0] ^= 1;
        Assert.That(SignatureCheck.Verify(key, data, signature, hash), Is.False, "signature verified over different data");
    }

    [TestCaseSource(nameof(Algorithms))]
    public void Key_reference_is_an_RFC_7512_URI_that_opens_the_same_key(KeyAlgorithm algorithm, string hashName)
    {
        var label = SoftHsm.UniqueLabel("open");
        string reference;
        byte[] spki;
        using (var provider = SoftHsm.Provider(SoftHsm.Main))
        {
            using var generated = provider.Generate(label, algorithm);
            reference = generated.KeyReference;
            spki = generated.SubjectPublicKeyInfo.ToArray();
        }

        Assert.That(reference, Does.Match($"^pkcs11:token={SoftHsm.Main.Label};object={label};id=(%[0-9A-F]{{2}}){{16}}$"));

        // A new provider (a restarted server) finds it again by URI alone.
        using var reopened = SoftHsm.Provider(SoftHsm.Main);
        using var key = reopened.Open(reference);
        Assert.That(key.KeyReference, Is.EqualTo(reference));
        Assert.That(key.Algorithm, Is.EqualTo(algorithm));
        Assert.That(key.SubjectPublicKeyInfo.ToArray(), Is.EqualTo(spki));
        var hash = new HashAlgorithmName(hashName);
        var data = "opened by URI"u8.ToArray();
        Assert.That(SignatureCheck.Verify(key, data, key.Sign(data, hash), hash), Is.True);
    }

    [Test]
    public void Open_finds_a_key_by_object_label_alone_or_by_id_alone()
    {
        using var provider = SoftHsm.Provider(SoftHsm.Main);
        var label = SoftHsm.UniqueLabel("partial");
        using var generated = provider.Generate(label, KeyAlgorithm.EcP256);
        var uri = Pkcs11Uri.Parse(generated.KeyReference);

        using var byLabel = provider.Open($"pkcs11:object={label}");
        using var byId = provider.Open(new Pkcs11Uri(null, null, uri.Id!.Value.ToArray()).ToString());
        using var typed = provider.Open(generated.KeyReference + ";type=private");

        Assert.That(byLabel.SubjectPublicKeyInfo.ToArray(), Is.EqualTo(generated.SubjectPublicKeyInfo.ToArray()));
        Assert.That(byId.SubjectPublicKeyInfo.ToArray(), Is.EqualTo(generated.SubjectPublicKeyInfo.ToArray()));
        Assert.That(typed.KeyReference, Is.EqualTo(generated.KeyReference));
    }

    [Test]
    public void Generate_refuses_a_label_already_on_the_token()
    {
        using var provider = SoftHsm.Provider(SoftHsm.Main);
        var label = SoftHsm.UniqueLabel("dup");
        using var first = provider.Generate(label, KeyAlgorithm.EcP256);

        var error = Assert.Throws<KeyProviderException>(() => provider.Generate(label, KeyAlgorithm.EcP384));
        Assert.That(error!.Message, Does.Contain(SoftHsm.Main.Label).And.Contain(label).And.Contain("already exists"));
    }

    [Test]
    public void Open_of_an_unknown_key_names_the_token_and_the_reference()
    {
        using var provider = SoftHsm.Provider(SoftHsm.Main);
        var reference = $"pkcs11:token={SoftHsm.Main.Label};object=no-such-key";

        var error = Assert.Throws<KeyProviderException>(() => provider.Open(reference));
        Assert.That(error!.Message, Does.Contain(SoftHsm.Main.Label).And.Contain("no private key matches").And.Contain(reference));
    }

    [Test]
    public void Open_refuses_a_reference_to_another_token()
    {
        using var provider = SoftHsm.Provider(SoftHsm.Main);

        var error = Assert.Throws<KeyProviderException>(() => provider.Open("pkcs11:token=amipki-root;object=root"));
        Assert.That(error!.Message, Does.Contain("'amipki-root'").And.Contain("not this provider's token"));
    }

    [Test]
    public void Open_refuses_a_malformed_reference()
    {
        using var provider = SoftHsm.Provider(SoftHsm.Main);

        var error = Assert.Throws<KeyProviderException>(() => provider.Open("software:issuing-s1"));
        Assert.That(error!.Message, Does.Contain("bad key reference"));
    }

    [Test]
    public void PIN_can_come_from_a_file()
    {
        var pinFile = Path.Combine(SoftHsm.Root, "pin-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(pinFile, SoftHsm.Main.UserPin + "\n");
        File.SetUnixFileMode(pinFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var provider = new Pkcs11KeyProvider(new Pkcs11ProviderOptions
        {
            ModulePath = SoftHsm.ModulePath,
            TokenLabel = SoftHsm.Main.Label,
            PinSource = Pkcs11PinSource.Parse("file:" + pinFile),
            SessionPoolSize = 1,
        });

        using var key = provider.Generate(SoftHsm.UniqueLabel("pinfile"), KeyAlgorithm.EcP256);
        Assert.That(SignatureCheck.Verify(key, [1, 2, 3], key.Sign([1, 2, 3], HashAlgorithmName.SHA256), HashAlgorithmName.SHA256), Is.True);
    }

    [Test]
    public void Provider_is_named_pkcs11()
    {
        using var provider = SoftHsm.Provider(SoftHsm.Main);
        Assert.That(provider.Name, Is.EqualTo("pkcs11"));
    }
}
