using System.Security.Cryptography;
using AmiPki.Core.Keys;
using AmiPki.Keys.Pkcs11;
using AmiPki.Keys.Pkcs11.Interop;
using AmiPki.Keys.Tests.Pkcs11.Support;
using NUnit.Framework;

namespace AmiPki.Keys.Tests.Pkcs11;

/// <summary>Clear errors naming the token and the CKR_ code, and recovery when the token comes back.</summary>
public sealed class Pkcs11FailureTests
{
    [Test]
    public void Wrong_PIN_names_the_token_the_call_and_CKR_PIN_INCORRECT()
    {
        using var provider = SoftHsm.Provider(SoftHsm.Main, pin: "not-the-pin");

        var error = Assert.Throws<KeyProviderException>(() => provider.Generate(SoftHsm.UniqueLabel("pin"), KeyAlgorithm.EcP256));
        Assert.That(error!.Message, Is.EqualTo($"PKCS#11 token '{SoftHsm.Main.Label}': C_Login failed: CKR_PIN_INCORRECT"));
        Assert.That(error.Message, Does.Not.Contain("not-the-pin"));

        // Same error from an explicit start-up check.
        var again = Assert.Throws<KeyProviderException>(provider.Connect);
        Assert.That(again!.Message, Does.Contain("CKR_PIN_INCORRECT"));
    }

    [Test]
    public void Missing_module_names_the_path()
    {
        var path = Path.Combine(SoftHsm.Root, "no-such-dir", "libvendor-pkcs11.so");

        var error = Assert.Throws<KeyProviderException>(() => new Pkcs11KeyProvider(new Pkcs11ProviderOptions
        {
            ModulePath = path,
            TokenLabel = "amipki-online",
            PinSource = Pkcs11PinSource.FromEnvironment(SoftHsm.PinVariable),
        }));
        Assert.That(error!.Message, Does.Contain($"PKCS#11 module '{path}' does not exist"));
    }

    [Test]
    public void A_library_that_is_not_a_PKCS11_module_is_refused_by_name()
    {
        // libSystem.Native ships with every .NET runtime and exports no C_GetFunctionList.
        var path = Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "libSystem.Native.so");
        Assert.That(File.Exists(path), path);

        var error = Assert.Throws<KeyProviderException>(() => new Pkcs11KeyProvider(new Pkcs11ProviderOptions
        {
            ModulePath = path,
            TokenLabel = "amipki-online",
            PinSource = Pkcs11PinSource.FromEnvironment(SoftHsm.PinVariable),
        }));
        Assert.That(error!.Message, Does.Contain(path).And.Contain("exports no C_GetFunctionList"));
    }

    [Test]
    public void Missing_token_names_the_label_and_CKR_TOKEN_NOT_PRESENT()
    {
        using var provider = SoftHsm.Provider(SoftHsm.Main with { Label = "amipki-absent" });

        var error = Assert.Throws<KeyProviderException>(provider.Connect);
        Assert.That(error!.Message, Does.StartWith("PKCS#11 token 'amipki-absent': not found in module"));
        Assert.That(error.Message, Does.Contain("CKR_TOKEN_NOT_PRESENT").And.Contain($"'{SoftHsm.Main.Label}'"));
    }

    [Test]
    public void Unset_PIN_variable_is_named_and_no_login_is_attempted()
    {
        using var provider = new Pkcs11KeyProvider(new Pkcs11ProviderOptions
        {
            ModulePath = SoftHsm.ModulePath,
            TokenLabel = SoftHsm.Main.Label,
            PinSource = Pkcs11PinSource.FromEnvironment("AMIPKI_TEST_PIN_NEVER_SET"),
        });

        var error = Assert.Throws<KeyProviderException>(provider.Connect);
        Assert.That(error!.Message, Does.Contain("environment variable AMIPKI_TEST_PIN_NEVER_SET is not set"));
    }

    [Test]
    public void Provider_reconnects_after_the_module_lost_its_state()
    {
        using var provider = SoftHsm.Provider(SoftHsm.Main);
        using var key = provider.Generate(SoftHsm.UniqueLabel("reinit"), KeyAlgorithm.EcP256);
        var data = "before"u8.ToArray();
        Assert.That(SignatureCheck.Verify(key, data, key.Sign(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256), Is.True);
        var generation = provider.Pool.Generation;

        // As a network HSM that restarted: every session and the login are gone.
        Assert.That(provider.Pool.Module.FinalizeBehindUsersBacks(), Is.EqualTo(CkRv.CKR_OK));

        var after = "after"u8.ToArray();
        Assert.That(SignatureCheck.Verify(key, after, key.Sign(after, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256), Is.True);
        Assert.That(provider.Pool.Generation, Is.GreaterThan(generation), "the pool did not reconnect");
    }

    [Test]
    public void Removed_token_gives_a_clear_error_and_signing_resumes_when_it_is_back()
    {
        var token = SoftHsm.CreateToken("amipki-removable");
        using var provider = SoftHsm.Provider(token);
        using var key = provider.Generate(SoftHsm.UniqueLabel("removable"), KeyAlgorithm.EcP384);
        var data = "issuance"u8.ToArray();
        Assert.That(SignatureCheck.Verify(key, data, key.Sign(data, HashAlgorithmName.SHA384), HashAlgorithmName.SHA384), Is.True);

        // Pull the token: its files leave SoftHSM2's token directory, and the module loses its state
        // the way a USB HSM's module does when the device goes (SoftHSM2 itself only notices at C_Initialize).
        // Outside the token directory: SoftHSM2 treats every subdirectory there as a token.
        var parked = Path.Combine(SoftHsm.Root, "removed-" + Path.GetFileName(token.Directory));
        Directory.Move(token.Directory, parked);
        provider.Pool.Module.FinalizeBehindUsersBacks();
        try
        {
            var error = Assert.Throws<KeyProviderException>(() => key.Sign(data, HashAlgorithmName.SHA384));
            Assert.That(error!.Message, Does.StartWith($"PKCS#11 token '{token.Label}':").And.Contain("CKR_TOKEN_NOT_PRESENT"));

            // Still gone: the same clear error again, not a crash or a stale session.
            var second = Assert.Throws<KeyProviderException>(() => key.Sign(data, HashAlgorithmName.SHA384));
            Assert.That(second!.Message, Does.Contain("CKR_TOKEN_NOT_PRESENT"));
        }
        finally
        {
            Directory.Move(parked, token.Directory);
        }

        var back = key.Sign(data, HashAlgorithmName.SHA384);
        Assert.That(SignatureCheck.Verify(key, data, back, HashAlgorithmName.SHA384), Is.True);
    }
}
